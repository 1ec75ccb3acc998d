// A long-running mkdev process (watch, run, ui) in a test: its stdout collected line by line, its NDJSON
// lines parsed, and its end awaited.
import { type ChildProcess, spawn } from 'node:child_process';
import { BIN } from './cli.ts';

export interface MkdevProcess {
  readonly child: ChildProcess;
  /** Exit code once the process has exited (its pipes may stay open: a host process holds them). */
  readonly exited: Promise<number | null>;
  /** Exit code once stdout and stderr are read to their end. */
  readonly closed: Promise<number | null>;
  readonly lines: string[];
  output(): string;
  stderr(): string;
  json(): Record<string, unknown>[];
}

/** `mkdev <command> -p <project> <rest...>` in cwd. -p right after the command: after `--` it is the command's. */
export function spawnMkdev(
  project: string,
  args: readonly string[],
  cwd: string,
  env: Readonly<Record<string, string>>,
): MkdevProcess {
  const [command, ...rest] = args;
  // node's spawn, not execa: a `mkdev run` killed with SIGKILL leaves its host process holding the
  // pipes, and only the exit (not the streams' end) tells that mkdev is gone.
  const child = spawn(process.execPath, [BIN, command as string, '-p', project, ...rest], {
    cwd,
    env: { ...process.env, ...env },
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
  return {
    child,
    exited,
    closed,
    lines,
    output: () => `${lines.join('\n')}\n${stderr}`,
    stderr: () => stderr,
    json: () =>
      lines.flatMap((l) => {
        try {
          return [JSON.parse(l) as Record<string, unknown>];
        } catch {
          return [];
        }
      }),
  };
}
