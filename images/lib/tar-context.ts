import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import { IGNORED_DIRS } from './recipe-hash.ts';

/**
 * Streams `dir` as an uncompressed tar (the system `tar`, which keeps modes and symlinks).
 * The returned promise-like `done` rejects when tar fails, so callers can surface it.
 */
export function tarDirectory(dir: string): { stream: Readable; done: Promise<void> } {
  const excludes = ['--anchored', ...[...IGNORED_DIRS].map((name) => `--exclude=./${name}`)];
  const child = spawn('tar', ['-C', dir, ...excludes, '--numeric-owner', '-cf', '-', '.'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const done = new Promise<void>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve();
      else reject(new Error(`tar -C ${dir} failed (exit ${code}): ${stderr.trim()}`));
    });
  });
  return { stream: child.stdout, done };
}
