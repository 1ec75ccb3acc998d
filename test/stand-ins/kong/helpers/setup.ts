// One Postgres cluster + a bootstrapped database + a running stand-in, for a test file.
import { randomBytes } from 'node:crypto';
import { type KongNode, runKong, startKong } from './kong.ts';
import { startPostgres, type TestPostgres } from './postgres.ts';

export interface Env {
  pg: TestPostgres;
  kong: KongNode;
  dbEnv: Record<string, string>;
}

export function dbEnvFor(pg: TestPostgres, database: string): Record<string, string> {
  return {
    KONG_DATABASE: 'postgres',
    KONG_PG_HOST: '127.0.0.1',
    KONG_PG_PORT: String(pg.port),
    KONG_PG_USER: pg.user,
    KONG_PG_PASSWORD: pg.password,
    KONG_PG_DATABASE: database,
  };
}

export async function freshDatabase(pg: TestPostgres): Promise<Record<string, string>> {
  const name = `kong_${randomBytes(4).toString('hex')}`;
  await pg.createDatabase(name);
  return dbEnvFor(pg, name);
}

export async function setupKong(extra: Record<string, string> = {}): Promise<Env> {
  const pg = await startPostgres();
  const dbEnv = await freshDatabase(pg);
  const boot = await runKong(['migrations', 'bootstrap'], dbEnv);
  if (boot.code !== 0) throw new Error(`bootstrap failed: ${boot.stderr}`);
  const kong = await startKong({ ...dbEnv, ...extra });
  return { pg, kong, dbEnv };
}

export async function teardown(env: Env | undefined): Promise<void> {
  await env?.kong.stop();
  await env?.pg.stop();
}
