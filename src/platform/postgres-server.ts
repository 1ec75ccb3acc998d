// A temporary PostgreSQL server on a volume, for `mkdev upgrade postgres`: the image's own entrypoint
// (which initialises an empty volume from POSTGRES_* as the service would), no network but loopback,
// a helper container of the project's (engine.ts), so a killed mkdev leaves it to the next reap. Tools
// run in it with exec as the postgres user.
import { setTimeout as sleep } from 'node:timers/promises';
import { deathWatch, logTail } from '../engine/container-health.ts';
import type { ContainerRef, Engine, ExecCommand, ExecOutcome } from '../engine/engine.ts';

export interface PostgresServerSpec {
  readonly name: string;
  readonly image: string;
  readonly volume: string;
  /** Where the volume is mounted, and the data directory (at or under it). */
  readonly mountAt: string;
  readonly dataDir: string;
  /** The service's environment (POSTGRES_USER, POSTGRES_PASSWORD, POSTGRES_INITDB_ARGS, ...). */
  readonly env: Readonly<Record<string, string>>;
  readonly labels: Readonly<Record<string, string>>;
}

export interface PostgresServer {
  readonly engine: Engine;
  readonly container: ContainerRef;
  /** The cluster's bootstrap superuser (POSTGRES_USER), whom the tools connect as. */
  readonly superuser: string;
  /** A tool (pg_dumpall, psql) as the postgres OS user, over the local socket. */
  command(cmd: readonly string[]): ExecCommand;
  psql(database: string, input: string): Promise<ExecOutcome>;
  remove(): Promise<void>;
}

/** Starts the server and returns once it accepts connections over TCP (not the init phase's socket-only one). */
export async function startPostgresServer(
  engine: Engine,
  spec: PostgresServerSpec,
  timeoutMs = 120_000,
): Promise<PostgresServer> {
  const container = await engine.startHelper({
    name: spec.name,
    image: spec.image,
    env: { ...spec.env, PGDATA: spec.dataDir },
    mounts: { [spec.volume]: spec.mountAt },
    labels: spec.labels,
  });
  const superuser = spec.env.POSTGRES_USER || 'postgres';
  const password = spec.env.POSTGRES_PASSWORD ?? '';
  const command = (cmd: readonly string[]): ExecCommand => ({
    cmd,
    user: 'postgres',
    // For a cluster whose local connections want a password too (POSTGRES_INITDB_ARGS --auth-local).
    env: { PGPASSWORD: password },
  });
  const server: PostgresServer = {
    engine,
    container,
    superuser,
    command,
    psql: (database, input) =>
      engine.execWithInput(
        container,
        command(['psql', '-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-U', superuser, '-d', database]),
        input,
      ),
    // SIGINT: Postgres' fast shutdown, a clean checkpoint, then the container goes.
    remove: () => engine.endHelper(container, 'SIGINT'),
  };
  try {
    await untilAcceptingTcp(server, timeoutMs);
    return server;
  } catch (error) {
    await server.remove().catch(() => {});
    throw error;
  }
}

/**
 * The official entrypoint first runs a server on the socket alone to initialise a new volume, then
 * stops it and starts the real one: only the real one answers on 127.0.0.1. Polled, as a readiness
 * probe is; a server that exits ends the wait with its log.
 */
async function untilAcceptingTcp(server: PostgresServer, timeoutMs: number): Promise<void> {
  const { engine, container } = server;
  const deadline = Date.now() + timeoutMs;
  const whyDead = deathWatch(engine, container);
  const probe = ['pg_isready', '-q', '-h', '127.0.0.1', '-U', server.superuser, '-d', 'postgres'];
  for (;;) {
    const dead = await whyDead();
    if (dead !== undefined) {
      const log = await logTail(engine, container, 15);
      throw new Error(`the temporary PostgreSQL server did not start: ${dead}\n${log.trimEnd()}`);
    }
    const { exitCode } = await engine.exec(container, probe);
    if (exitCode === 0) return;
    if (Date.now() > deadline)
      throw new Error(`the temporary PostgreSQL server was not ready within ${timeoutMs / 1000} s`);
    await sleep(250);
  }
}
