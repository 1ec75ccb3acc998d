// A long-running mkdev process (watch, run, ui, up --attach) for a test: its stdout collected line by
// line (NDJSON parsed on demand), its stderr, its exit, and a way to wait for a line.
import { type ChildProcess, spawn } from 'node:child_process';
import { BIN, eventually, FREE_PORTS, OFFLINE_IMAGE_MAP, type TestProject } from './cli.ts';

export interface MkdevProcess {
  readonly child: ChildProcess;
  /** The exit code once the process has exited (its pipes may stay open: a host process holds them). */
  readonly exited: Promise<number | null>;
  /** The exit code once stdout and stderr were read to their end (null when killed by a signal). */
  readonly closed: Promise<number | null>;
  readonly lines: string[];
  stderr(): string;
  output(): string;
  json(): Record<string, unknown>[];
  /** Waits until an NDJSON line matches, and returns it. */
  waitForJson(
    what: string,
    match: (line: Record<string, unknown>) => boolean,
    timeoutMs?: number,
  ): Promise<Record<string, unknown>>;
  /** Ctrl-C, then the exit code; SIGKILL after 30 s. */
  interrupt(): Promise<number | null>;
}

export function spawnMkdev(
  project: TestProject,
  args: readonly string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
): MkdevProcess {
  // -p right after the command: anything after `--` belongs to the command `mkdev run` starts.
  const [command, ...rest] = args;
  // node's spawn, not execa: a `mkdev run` killed with SIGKILL leaves its host process holding the
  // pipes, and only the exit (not the streams' end) tells that mkdev is gone.
  const child = spawn(process.execPath, [BIN, command as string, '-p', project.name, ...rest], {
    cwd: options.cwd ?? project.dir,
    env: { ...process.env, MKDEV_IMAGES: OFFLINE_IMAGE_MAP, NO_COLOR: '1', ...FREE_PORTS, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    child.once('exit', (code) => resolve(code));
  });
  const closed = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  const lines: string[] = [];
  let partial = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    const parts = (partial + chunk.toString('utf8')).split('\n');
    partial = parts.pop() ?? '';
    lines.push(...parts);
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const output = () => `${lines.join('\n')}\n${stderr}`;
  const json = () =>
    lines.flatMap((l) => {
      try {
        return [JSON.parse(l) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
  return {
    child,
    exited,
    closed,
    lines,
    stderr: () => stderr,
    output,
    json,
    waitForJson: async (what, match, timeoutMs = 300_000) => {
      try {
        return await eventually(async () => json().find(match), timeoutMs, what);
      } catch (error) {
        // what mkdev had said by the time the wait gave up, not when it began
        throw new Error(`${(error as Error).message}\noutput so far:\n${output()}`);
      }
    },
    interrupt: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      const code = await closed;
      clearTimeout(timer);
      return code;
    },
  };
}
