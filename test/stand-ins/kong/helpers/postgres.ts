// A throwaway Postgres for the Kong stand-in's host-side tests: the offline image set's Postgres in a
// container on a free 127.0.0.1 port (the machines we test on have no Postgres server of their own).
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import pg from 'pg';
import { createDockerClient } from '../../../../src/engine/docker-client.ts';

export interface TestPostgres {
  port: number;
  user: string;
  password: string;
  createDatabase(name: string): Promise<void>;
  stop(): Promise<void>;
}

const IMAGE = 'mkdev-offline/postgres:17';
const docker = createDockerClient();

/**
 * A port nothing listens on, for an upstream that refuses connections. Not freePort(): a port free now
 * is in the ephemeral range, where a test file running beside this one can bind it before the request
 * (seen once in CI: a 502 "invalid response" where a refused connection was meant). Port 1 (tcpmux) is
 * below that range, and nothing here binds it.
 */
export const REFUSED_PORT = 1;

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
  const password = 'kong-test-pw';
  const container = await docker.createContainer({
    name: `kong-standin-pg-${randomBytes(4).toString('hex')}`,
    Image: IMAGE,
    Env: ['POSTGRES_USER=kong', `POSTGRES_PASSWORD=${password}`, 'POSTGRES_DB=postgres'],
    Cmd: ['postgres', '-c', 'fsync=off'],
    ExposedPorts: { '5432/tcp': {} },
    HostConfig: { PortBindings: { '5432/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] }, AutoRemove: false },
  });
  await container.start();
  const info = await container.inspect();
  const port = Number(info.NetworkSettings.Ports['5432/tcp']?.[0]?.HostPort);
  const client = () =>
    new pg.Client({ host: '127.0.0.1', port, user: 'kong', password, database: 'postgres' });
  const deadline = Date.now() + 60_000;
  for (;;) {
    const c = client();
    c.on('error', () => {});
    try {
      await c.connect();
      await c.query('SELECT 1');
      await c.end();
      break;
    } catch (e) {
      await c.end().catch(() => {});
      if (Date.now() > deadline) {
        await container.remove({ force: true, v: true }).catch(() => {});
        throw e;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    port,
    user: 'kong',
    password,
    async createDatabase(name: string) {
      const c = client();
      await c.connect();
      await c.query(`CREATE DATABASE "${name}"`);
      await c.end();
    },
    async stop() {
      await container.remove({ force: true, v: true }).catch(() => {});
    },
  };
}
