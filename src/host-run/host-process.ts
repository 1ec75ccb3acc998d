// The host process of `mkdev run`: spawned with the terminal (a debugger's prompt works), signals
// forwarded to its process group, and its end reported as a shell would: its exit code, or 128 + the
// signal's number.
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { UserError } from '../errors.ts';

export interface HostProcess {
  readonly pid: number;
  /** Resolves with the exit code mkdev should exit with. */
  readonly exited: Promise<number>;
  /** Sends a signal to the command and everything it started (its process group), as mkdev's own are. */
  signal(signal: NodeJS.Signals): boolean;
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
  // A terminal's Ctrl-C reaches mkdev's process group, SIGTERM from a supervisor (an IDE's stop
  // button) mkdev only: forwarded either way.
  const forward = (signal: NodeJS.Signals) => () => signalGroup(child.pid, signal);
  const onInt = forward('SIGINT');
  const onTerm = forward('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  const exited = new Promise<number>((resolve) => {
    child.once('exit', (code, signal) => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      resolve(code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0));
    });
  });
  return new Promise((resolve, reject) => {
    child.once('spawn', () =>
      resolve({ pid: child.pid as number, exited, signal: (signal) => signalGroup(child.pid, signal) }),
    );
    child.once('error', (error: NodeJS.ErrnoException) => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
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

/** Sends a signal to a host process's group (it leads one: see startHostProcess); false if it is gone. */
export function signalGroup(pid: number | undefined, signal: NodeJS.Signals): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    try {
      process.kill(pid, signal);
      return true;
    } catch {
      return false;
    }
  }
}
