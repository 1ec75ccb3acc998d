// Runs a template's supervisor as its image does (in the service's directory, PORT set), for the
// supervisor tests (ts-supervisor.test.ts, python-supervisor.test.ts): its output, waited on by pattern;
// HTTP answers on its port; the protocol's steps (a child serves, a standby is warm) as events.
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

/** Whether `pid` has exited (a zombie its parent has not reaped yet counts as exited). */
function gone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.startsWith('Z') === true;
  } catch {
    return true;
  }
}

export type RunningSupervisor = ReturnType<typeof runSupervisor>;

export function runSupervisor(
  command: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
  port: number,
) {
  const child: ChildProcess = spawn(command, args, {
    cwd,
    env: { ...process.env, ...env, PORT: String(port), BIND_ADDRESS: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, which stop() ends whole, as a container's end does to everything in it.
    detached: true,
  });
  let output = '';
  const waiters: (() => void)[] = [];
  const onData = (data: Buffer) => {
    output += data.toString();
    for (const w of waiters.splice(0)) w();
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  /** Resolves with the match once the supervisor's output (from `from` on) matches `re`. */
  const waitFor = (re: RegExp, from = 0) =>
    new Promise<RegExpMatchArray>((resolve, reject) => {
      const check = () => {
        const m = output.slice(from).match(re);
        if (m) resolve(m);
        else if (child.exitCode !== null) reject(new Error(`supervisor exited; output:\n${output}`));
        else waiters.push(check);
      };
      check();
    });
  // A new connection each time: a kept-alive one may be the old child's, which leaves.
  const get = () =>
    new Promise<string>((resolve, reject) => {
      httpGet({ host: '127.0.0.1', port, path: '/', agent: false }, (res) => {
        let text = '';
        res.on('data', (d: Buffer) => {
          text += d.toString();
        });
        res.on('end', () => resolve(text));
      }).on('error', reject);
    });
  /** Once child `serves` (a pattern) serves and the child it replaces has exited, as `mkdev watch` waits for it. */
  const served = async (serves: string, from: number) => {
    const left = Number((await waitFor(new RegExp(`child ${serves} serves; child (\\d+) leaves`), from))[1]);
    // The engine has no event for a process's exit either: watch polls too.
    while (!gone(left)) await sleep(20);
  };
  const standbyPid = async (from = 0) => Number((await waitFor(/standby (\d+) is warm/, from))[1]);
  // The whole group: the supervisor's children (a standby, a child that was leaving) outlive a SIGKILL of
  // the supervisor alone, and would run on after the test (in a container, PID 1's end ends them).
  const stop = async () => {
    try {
      process.kill(-(child.pid as number), 'SIGKILL');
    } catch {
      // Already gone, every process of the group.
    }
    if (child.exitCode === null && child.signalCode === null) await exited;
  };
  return { child, get, waitFor, served, exited, standbyPid, stop, output: () => output };
}

// Both supervisors count a file whose ctime is up to 50 ms before a standby's start as changed since it
// (CLOCK_SLACK_NS in supervisor.py, CLOCK_SLACK_MS in supervisor.ts: the kernel stamps ctime from a coarse clock).
const SUPERVISOR_CLOCK_SLACK_MS = 50;

/**
 * Resolves once the wall clock is past the newest ctime under `dir` by more than the supervisors' clock
 * slack. A test writes its service's files just before it starts the supervisor; a standby started within
 * the slack would find every file it loaded "changed since" and step aside for a cold child, which the
 * test did not ask for (seen once in CI on a fast machine: "standby ... loaded standby.py, changed since
 * it started").
 */
export async function untilFilesSettled(dir: string): Promise<void> {
  const newest = (path: string): number =>
    readdirSync(path, { withFileTypes: true }).reduce((max, entry) => {
      const full = join(path, entry.name);
      return Math.max(max, entry.isDirectory() ? newest(full) : statSync(full).ctimeMs);
    }, statSync(path).ctimeMs);
  const wait = newest(dir) + SUPERVISOR_CLOCK_SLACK_MS + 1 - Date.now();
  if (wait > 0) await sleep(wait);
}

/** Resolves once `pid` has exited (polled: the engine has no event for it either, and watch polls too). */
export async function untilGone(pid: number): Promise<void> {
  while (!gone(pid)) await sleep(20);
}

/** A process's name (comm), which tells `mkdev watch` a standby from a serving child. */
export const processName = (pid: number) => readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
