// A temporary PostgreSQL server on a volume, for `mkdev upgrade postgres`: the image's own entrypoint
// (which initialises an empty volume from POSTGRES_* as the service would), no network but loopback,
// labelled so a killed mkdev leaves it to the next reap. Tools run in it with exec as the postgres user.
import type Docker from 'dockerode';
import { demuxToText, execIn, whyDead } from '../engine/container-ops.ts';
import { type ExecCommand, type ExecOutcome, execWithInput } from '../engine/exec-stream.ts';
import { LABEL } from '../engine/labels.ts';
import { currentOwner, formatOwner } from '../engine/owner.ts';
import { ignoring, isNotFound } from '../errors.ts';

export interface PostgresServerSpec {
  readonly name: string;
  readonly image: string;
  readonly volume: string;
  /** Where the volume is mounted, and the data directory (at or under it). */
  readonly mountAt: string;
  readonly dataDir: string;
  /** The service's environment (POSTGRES_USER, POSTGRES_PASSWORD, POSTGRES_INITDB_ARGS, ...). */
  readonly env: Readonly<Record<string, string>>;
  readonly project: string;
  readonly labels: Readonly<Record<string, string>>;
}

export interface PostgresServer {
  readonly container: Docker.Container;
  /** The cluster's bootstrap superuser (POSTGRES_USER), whom the tools connect as. */
  readonly superuser: string;
  /** A tool (pg_dumpall, psql) as the postgres OS user, over the local socket. */
  command(cmd: readonly string[]): ExecCommand;
  psql(database: string, input: string): Promise<ExecOutcome>;
  remove(): Promise<void>;
}

/** Starts the server and returns once it accepts connections over TCP (not the init phase's socket-only one). */
export async function startPostgresServer(
  docker: Docker,
  spec: PostgresServerSpec,
  timeoutMs = 120_000,
): Promise<PostgresServer> {
  await docker.getContainer(spec.name).remove({ force: true, v: true }).catch(ignoring(isNotFound));
  const env = { ...spec.env, PGDATA: spec.dataDir };
  const container = await docker.createContainer({
    name: spec.name,
    Image: spec.image,
    Env: Object.entries(env).map(([k, v]) => `${k}=${v}`),
    Labels: { [LABEL.project]: spec.project, [LABEL.owner]: formatOwner(currentOwner()), ...spec.labels },
    HostConfig: {
      NetworkMode: 'none',
      Mounts: [{ Type: 'volume', Source: spec.volume, Target: spec.mountAt }],
    },
  });
  const superuser = spec.env.POSTGRES_USER || 'postgres';
  const password = spec.env.POSTGRES_PASSWORD ?? '';
  const command = (cmd: readonly string[]): ExecCommand => ({
    container,
    cmd,
    user: 'postgres',
    // For a cluster whose local connections want a password too (POSTGRES_INITDB_ARGS --auth-local).
    env: { PGPASSWORD: password },
  });
  const server: PostgresServer = {
    container,
    superuser,
    command,
    psql: (database, input) =>
      execWithInput(
        command(['psql', '-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-U', superuser, '-d', database]),
        input,
      ),
    remove: async () => {
      // SIGINT: Postgres' fast shutdown, a clean checkpoint, then the container goes.
      await container.kill({ signal: 'SIGINT' }).catch(() => {});
      await container.wait().catch(() => {});
      await container.remove({ force: true, v: true }).catch(ignoring(isNotFound));
    },
  };
  try {
    await container.start();
    await untilAcceptingTcp(server, timeoutMs);
    return server;
  } catch (error) {
    await server.remove();
    throw error;
  }
}

/**
 * The official entrypoint first runs a server on the socket alone to initialise a new volume, then
 * stops it and starts the real one: only the real one answers on 127.0.0.1. Polled, as a readiness
 * probe is; a server that exits ends the wait with its log.
 */
async function untilAcceptingTcp(server: PostgresServer, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const probe = ['pg_isready', '-q', '-h', '127.0.0.1', '-U', server.superuser, '-d', 'postgres'];
  for (;;) {
    const dead = await whyDead(server.container);
    if (dead !== undefined) {
      const raw = (await server.container.logs({
        stdout: true,
        stderr: true,
        tail: 15,
      })) as unknown as Buffer;
      throw new Error(
        `the temporary PostgreSQL server did not start: ${dead}\n${demuxToText(raw).trimEnd()}`,
      );
    }
    const { exitCode } = await execIn(server.container, probe);
    if (exitCode === 0) return;
    if (Date.now() > deadline)
      throw new Error(`the temporary PostgreSQL server was not ready within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
