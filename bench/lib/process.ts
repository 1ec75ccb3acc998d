// Runs a command and measures it: wall time from spawn to exit, and the peak RSS of the process
// tree's largest member as GNU time reports it (ru_maxrss of the waited-for child).
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Timed {
  readonly ms: number;
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
  /** Peak resident set size in bytes, when measured. */
  readonly peakRss?: number;
}

export interface RunOptions {
  readonly cwd?: string;
  readonly env?: Readonly<Record<string, string>>;
  /** Wrap in /usr/bin/time to read the peak RSS. */
  readonly rss?: boolean;
  readonly timeoutMs?: number;
}

const GNU_TIME = '/usr/bin/time';

export function runTimed(command: string, args: readonly string[], options: RunOptions = {}): Promise<Timed> {
  const rssFile = join(tmpdir(), `mkdev-bench-rss-${process.pid}-${Math.random().toString(36).slice(2)}`);
  const wrap = options.rss === true && existsSync(GNU_TIME);
  const [cmd, argv] = wrap ? [GNU_TIME, ['-f', '%M', '-o', rssFile, command, ...args]] : [command, [...args]];
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(cmd, argv, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => {
      stdout += c;
    });
    child.stderr.setEncoding('utf8').on('data', (c: string) => {
      stderr += c;
    });
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => child.kill('SIGTERM'), options.timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - started;
      if (timer) clearTimeout(timer);
      let peakRss: number | undefined;
      if (wrap && existsSync(rssFile)) {
        // GNU time prints "Command exited with non-zero status N" first when it fails.
        const kb = Number(readFileSync(rssFile, 'utf8').trim().split('\n').pop());
        if (Number.isFinite(kb)) peakRss = kb * 1024;
        rmSync(rssFile, { force: true });
      }
      resolve({ ms, exitCode: code ?? -1, stdout, stderr, ...(peakRss === undefined ? {} : { peakRss }) });
    });
  });
}

export function mustSucceed(what: string, result: Timed): Timed {
  if (result.exitCode !== 0) {
    throw new Error(
      `${what} failed (exit ${result.exitCode}):\n${result.stderr.slice(-2000)}${result.stdout.slice(-2000)}`,
    );
  }
  return result;
}
