// Whole-stack snapshots for fast resets between tests: whichever of Postgres, Consul and RabbitMQ the
// stack runs (by the default stack's service names), each through its own platform module.

import { engineHost } from '../engine/docker-client.ts';
import type { Engine } from '../engine/engine.ts';
import { firstRunning, type ObservedState } from '../engine/observed-state.ts';
import { exportKv, importKv, type KvEntry } from '../platform/consul-state.ts';
import { restartKong } from '../platform/kong-restart.ts';
import { dumpPostgres, type PostgresAccess, restorePostgres } from '../platform/postgres-state.ts';
import { exportDefinitions, importDefinitions, type RabbitAccess } from '../platform/rabbitmq-state.ts';
import type { Stack } from '../stack/model.ts';

export interface StackSnapshot {
  readonly takenAt: string;
  readonly postgres?: string;
  readonly consulKv?: readonly KvEntry[];
  readonly rabbitmq?: unknown;
}

function access(stack: Stack, observed: ObservedState) {
  const host = engineHost();
  const running = (service: string) => firstRunning(observed, service);
  const port = (service: string, target: number) => running(service)?.ports[`${target}/tcp`];
  const pg = stack.services.postgres;
  const pgPort = port('postgres', 5432);
  const postgres: PostgresAccess | undefined =
    pg && pgPort
      ? {
          host,
          port: pgPort,
          user: pg.env.POSTGRES_USER ?? 'postgres',
          password: pg.env.POSTGRES_PASSWORD ?? '',
          database: pg.env.POSTGRES_DB ?? pg.env.POSTGRES_USER ?? 'postgres',
        }
      : undefined;
  const consulPort = port('consul', 8500);
  const rabbit = stack.services.rabbitmq;
  const mgmtPort = port('rabbitmq', 15672);
  const rabbitmq: RabbitAccess | undefined =
    rabbit && mgmtPort
      ? {
          managementUrl: `http://${host}:${mgmtPort}`,
          user: rabbit.env.RABBITMQ_DEFAULT_USER ?? 'guest',
          password: rabbit.env.RABBITMQ_DEFAULT_PASS ?? 'guest',
        }
      : undefined;
  return {
    postgres,
    postgresContainer: running('postgres')?.id,
    consulUrl: consulPort ? `http://${host}:${consulPort}` : undefined,
    rabbitmq,
  };
}

export async function takeSnapshot(
  engine: Engine,
  stack: Stack,
  observed: ObservedState,
): Promise<StackSnapshot> {
  const a = access(stack, observed);
  const [postgres, consulKv, rabbitmq] = await Promise.all([
    a.postgres && a.postgresContainer
      ? dumpPostgres(engine, { id: a.postgresContainer, service: 'postgres' }, a.postgres)
      : undefined,
    a.consulUrl ? exportKv(a.consulUrl) : undefined,
    a.rabbitmq ? exportDefinitions(a.rabbitmq) : undefined,
  ]);
  return {
    takenAt: new Date().toISOString(),
    ...(postgres === undefined ? {} : { postgres }),
    ...(consulKv === undefined ? {} : { consulKv }),
    ...(rabbitmq === undefined ? {} : { rabbitmq }),
  };
}

/**
 * Puts the stack back as the snapshot found it. Kong is then started anew (on the same host ports), as
 * real Kong never sees a database changed behind its back; ~the time Kong takes to boot.
 */
export async function restoreSnapshot(
  engine: Engine,
  stack: Stack,
  snapshot: StackSnapshot,
  signal: AbortSignal = AbortSignal.timeout(180_000),
): Promise<void> {
  // Observed now: an earlier restore replaced Kong's container.
  const observed = await engine.observe();
  const a = access(stack, observed);
  await Promise.all([
    snapshot.postgres !== undefined && a.postgres
      ? restorePostgres(a.postgres, snapshot.postgres)
      : undefined,
    snapshot.consulKv !== undefined && a.consulUrl ? importKv(a.consulUrl, snapshot.consulKv) : undefined,
    snapshot.rabbitmq !== undefined && a.rabbitmq
      ? importDefinitions(a.rabbitmq, snapshot.rabbitmq)
      : undefined,
  ]);
  // After the KV restore: Kong's entrypoint waits for the kong-migrations flag again.
  if (snapshot.postgres !== undefined) await restartKong(engine, stack, observed, engineHost(), signal);
}
