// A throwaway Postgres 15 cluster from the host's binaries (initdb/postgres run as the `postgres` user).
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export interface TestPostgres {
  port: number;
  user: string;
  password: string;
  createDatabase(name: string): Promise<void>;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (typeof a === 'object' && a ? resolve(a.port) : reject(new Error('no port'))));
    });
  });
}

export async function startPostgres(): Promise<TestPostgres> {
  const dir = mkdtempSync(join(tmpdir(), 'kong-standin-pg-'));
  chmodSync(dir, 0o777);
  const data = join(dir, 'data');
  const pwfile = join(dir, 'pw');
  const password = 'kong-test-pw';
  writeFileSync(pwfile, `${password}\n`);
  chmodSync(pwfile, 0o644);
  const asPg = (cmd: string, args: string[]) =>
    execFileSync('runuser', ['-u', 'postgres', '--', cmd, ...args], { stdio: 'pipe' });
  asPg('/usr/lib/postgresql/15/bin/initdb', [
    '-D',
    data,
    '-U',
    'kong',
    '--auth=scram-sha-256',
    `--pwfile=${pwfile}`,
  ]);
  const port = await freePort();
  const proc: ChildProcess = spawn(
    'runuser',
    [
      '-u',
      'postgres',
      '--',
      '/usr/lib/postgresql/15/bin/postgres',
      '-D',
      data,
      '-p',
      String(port),
      '-k',
      dir,
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'fsync=off',
    ],
    { stdio: 'ignore' },
  );
  const deadline = Date.now() + 30_000;
  for (;;) {
    const c = new pg.Client({ host: '127.0.0.1', port, user: 'kong', password, database: 'postgres' });
    try {
      await c.connect();
      await c.end();
      break;
    } catch (e) {
      await c.end().catch(() => {});
      if (Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    port,
    user: 'kong',
    password,
    async createDatabase(name: string) {
      const c = new pg.Client({ host: '127.0.0.1', port, user: 'kong', password, database: 'postgres' });
      await c.connect();
      await c.query(`CREATE DATABASE "${name}"`);
      await c.end();
    },
    async stop() {
      await new Promise<void>((resolve) => {
        if (proc.exitCode !== null) return resolve();
        proc.once('exit', () => resolve());
        try {
          asPg('/usr/lib/postgresql/15/bin/pg_ctl', ['-D', data, 'stop', '-m', 'immediate']);
        } catch {
          proc.kill('SIGKILL');
        }
      });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
