// The host process of `mkdev run`: the command runs in a process group of its own, so that a signal
// reaches its whole tree (npm -> sh -> node), not only its first process, whoever sent it: a terminal
// sends Ctrl-C to its foreground group (mkdev's), an IDE's stop button, `timeout` or a process manager
// to mkdev's pid alone. mkdev decides when to pass it on (host-run.ts). Its end is reported as a shell
// would: the exit code, or 128 + the number of the signal that killed it.
// The group is a new session (Node's `detached`): the command keeps the terminal's stdin, stdout and
// stderr (a debugger's prompt works) but has no controlling terminal, so the terminal's own signals
// (Ctrl-C, window resizes) reach mkdev only.

import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { constants } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { UserError } from '../errors.ts';

export interface HostProcess {
  readonly pid: number;
  /**
   * The exit code mkdev should exit with; resolves once the command has exited and nothing of its
   * process group is left (what it left running is stopped: TERM, then KILL after 5 s).
   */
  readonly exited: Promise<number>;
  /** True once the command itself (the group's leader) has exited. */
  readonly hasExited: () => boolean;
  /** Sends `signal` to the command's whole process group. */
  signalGroup(signal: NodeJS.Signals): void;
}

/** Processes of group `pgid` that are alive (zombies waiting to be reaped do not count). */
export function groupMembers(pgid: number): number[] {
  if (process.platform !== 'linux') {
    try {
      process.kill(-pgid, 0);
      return [pgid];
    } catch {
      return [];
    }
  }
  const members: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // After the command name (in parentheses, may hold spaces): state, ppid, pgrp.
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(pgrp) === pgid && state !== 'Z' && state !== 'X') members.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return members;
}

function killGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // the group is empty already
  }
}

/**
 * Waits until nothing of the group is alive, after its leader exited: what is left gets TERM, then KILL
 * after `graceMs`. Not TERM when the group was signalled already (`signalled`): what is left is most
 * likely handling that signal, and a second one is a forced quit to many programs (the Go template
 * exits at once on it, before it has deregistered from Consul).
 */
async function groupGone(pgid: number, signalled: boolean, graceMs = 5000): Promise<void> {
  const deadline = Date.now() + graceMs;
  let termed = signalled;
  while (groupMembers(pgid).length > 0) {
    if (!termed) {
      killGroup(pgid, 'SIGTERM');
      termed = true;
    }
    if (Date.now() > deadline) {
      killGroup(pgid, 'SIGKILL');
      return;
    }
    await sleep(50);
  }
}

export function startHostProcess(
  command: readonly string[],
  options: { cwd: string; env: Readonly<Record<string, string>> },
): Promise<HostProcess> {
  const [file, ...args] = command;
  if (file === undefined) throw new UserError('no command to run');
  // Its own process group, and every signal forwarded to the whole group: a wrapper does not relay
  // signals to what it starts. `go run .` builds the program and runs it as its child, ignores SIGINT
  // and dies of SIGTERM without passing either on (golang/go#40467), which would leave the program
  // running and registered. (The group is a new session too: Node offers no other way; the terminal
  // stays the command's stdin and stdout, so a debugger's prompt still works.)
  const child = spawn(file, args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: 'inherit',
    detached: true,
  });
  let leaderExited = false;
  let signalled = false;
  const exited = new Promise<number>((resolve) => {
    child.once('exit', (code, signal) => {
      leaderExited = true;
      const status = code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0);
      void groupGone(child.pid as number, signalled).then(() => resolve(status));
    });
  });
  return new Promise((resolve, reject) => {
    child.once('spawn', () =>
      resolve({
        pid: child.pid as number,
        exited,
        hasExited: () => leaderExited,
        signalGroup: (signal) => {
          signalled = true;
          killGroup(child.pid as number, signal);
        },
      }),
    );
    child.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        new UserError(
          `cannot start ${file}: ${error.code === 'ENOENT' ? 'no such command' : error.message}`,
          {
            hint: 'give the command after --, e.g. mkdev run orders -- node src/main.ts',
          },
        ),
      );
    });
  });
}
