// Whole-stack snapshots for fast resets between tests: whichever of the database, discovery and broker
// roles the stack has (src/stack/roles.ts, whatever the services are called), each through its own
// platform module.

import { engineHost } from '../engine/docker-client.ts';
import type { Engine } from '../engine/engine.ts';
import { firstRunning, type ObservedState } from '../engine/observed-state.ts';
import { exportKv, importKv, type KvEntry } from '../platform/consul-state.ts';
import { restartKong } from '../platform/kong-restart.ts';
import { dumpPostgres, type PostgresAccess, restorePostgres } from '../platform/postgres-state.ts';
import { exportDefinitions, importDefinitions, type RabbitAccess } from '../platform/rabbitmq-state.ts';
import { brokerCredentials, roleUrl } from '../platform/role-urls.ts';
import type { Stack } from '../stack/model.ts';
import { endpointPort, serviceWithRole } from '../stack/roles.ts';

export interface StackSnapshot {
  readonly takenAt: string;
  readonly postgres?: string;
  readonly consulKv?: readonly KvEntry[];
  readonly rabbitmq?: unknown;
}

function access(stack: Stack, observed: ObservedState) {
  const host = engineHost();
  const pg = serviceWithRole(stack, 'database');
  const pgContainer = pg && firstRunning(observed, pg.name);
  const pgPort = pgContainer?.ports[`${endpointPort('database', 'postgres')}/tcp`];
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
  const managementUrl = roleUrl(stack, observed, host, 'broker', 'management');
  const rabbitmq: RabbitAccess | undefined = managementUrl
    ? { managementUrl, ...brokerCredentials(stack) }
    : undefined;
  return {
    postgres,
    postgresContainer: pg && pgContainer ? { id: pgContainer.id, service: pg.name } : undefined,
    consulUrl: roleUrl(stack, observed, host, 'discovery', 'http'),
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
    a.postgres && a.postgresContainer ? dumpPostgres(engine, a.postgresContainer, a.postgres) : undefined,
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
  // After the KV restore: the gateway's entrypoint waits for the kong-migrations flag again.
  if (snapshot.postgres !== undefined) await restartKong(engine, stack, observed, engineHost(), signal);
}
