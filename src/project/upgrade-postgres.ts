import { LABEL } from '../engine/labels.ts';
import { volumeName } from '../engine/names.ts';
import { copyVolume, wipeVolume } from '../engine/volume-ops.ts';
import { InterruptedError, UsageError, UserError } from '../errors.ts';
import { postgresDataDir, versionFileOf } from '../platform/data-products.ts';
import { dataOutsideVolumes, imageFacts } from '../platform/data-volumes.ts';
import { dumpAllInto } from '../platform/postgres-dump-restore.ts';
import { inventory, inventoryDifferences, inventorySummary } from '../platform/postgres-inventory.ts';
import { type PostgresServer, startPostgresServer } from '../platform/postgres-server.ts';
import type { ServiceSpec } from '../stack/model.ts';
import { type OldImageOptions, resolveOldImage } from './old-postgres-image.ts';
import {
  createUpgradeVolume,
  readPgVersion,
  removeOwnLeftover,
  sameFiles,
  stopUsers,
  volumesOfUpgrade,
} from './upgrade-volumes.ts';

export interface UpgradePostgresOptions extends OldImageOptions {
  /** The Postgres service, by name. */
  readonly service: string;
}

export interface UpgradePostgresResult {
  readonly outcome: 'upgraded' | 'already-done' | 'nothing-to-upgrade';
  readonly volume: string;
  readonly message: string;
  /** The volume holding the old data, when there is one. */
  readonly oldVolume?: string;
  /** Milliseconds per phase, for the report. */
  readonly timings: Readonly<Record<string, number>>;
}

interface Target {
  readonly service: ServiceSpec;
  readonly image: string;
  readonly major: string;
  /** V, where it is mounted, and the data directory's place in it ('' for its root). */
  readonly volume: string;
  readonly mountAt: string;
  /** The new major's data directory (absolute), and its place in the volume. */
  readonly newDataDir: string;
  readonly newDataRel: string;
  readonly candidates: readonly string[];
}

const relativeTo = (root: string, path: string) =>
  path.slice(root.replace(/\/$/, '').length).replace(/^\//, '');
const join = (rel: string, file: string) => (rel === '' ? file : `${rel}/${file}`);
const dirOf = (rel: string) => (rel.includes('/') ? rel.slice(0, rel.lastIndexOf('/')) : '');

export async function upgradePostgres(options: UpgradePostgresOptions): Promise<UpgradePostgresResult> {
  const { engine } = options;
  const target = await resolveTarget(options);
  const timings: Record<string, number> = {};
  const { volume } = target;
  const found = await readPgVersion(engine, volume, target.image, target.candidates);
  const upgradeVolumes = await volumesOfUpgrade(engine, volume);
  const oldVolume = upgradeVolumes.old;

  if (found?.major === target.major) {
    if (upgradeVolumes.new) await engine.connection.removeVolume(upgradeVolumes.new.name);
    return {
      outcome: oldVolume ? 'already-done' : 'nothing-to-upgrade',
      volume,
      timings,
      ...(oldVolume ? { oldVolume } : {}),
      message: oldVolume
        ? `${volume} already holds PostgreSQL ${target.major} data (upgraded earlier); the old data is in ${oldVolume}`
        : `${volume} already holds PostgreSQL ${target.major} data, the major ${target.service.image} runs: nothing to upgrade`,
    };
  }
  if (found === undefined) {
    const pending = upgradeVolumes.new;
    if (pending === undefined) {
      if (oldVolume === undefined) {
        return {
          outcome: 'nothing-to-upgrade',
          volume,
          timings,
          message: `${volume} holds no PostgreSQL data (no PG_VERSION): nothing to upgrade`,
        };
      }
      throw new UserError(
        `${volume} holds no PostgreSQL data, and the new data of an earlier upgrade is gone`,
        {
          hint: `the old data is in ${oldVolume}: copy it back into ${volume} (docs/upgrades.md, "Going back") and run the upgrade again`,
        },
      );
    }
    if (pending.version !== target.major) {
      throw new UserError(
        `an upgrade of ${volume} to PostgreSQL ${pending.version} was interrupted while switching; ${target.service.image} runs PostgreSQL ${target.major}`,
        {
          hint: `set ${target.service.name}'s image back to postgres:${pending.version} and run 'mkdev upgrade postgres' to finish that one first (the verified data is in ${pending.name}, the old data in ${oldVolume ?? 'its copy'})`,
        },
      );
    }
    // The switch was under way (V is emptied only after the new cluster was verified): finish it.
    options.log(
      `${volume} was being switched to the verified PostgreSQL ${target.major} data: finishing that`,
    );
    await switchVolume(options, target, pending.name, undefined, timings);
    return done(target, oldVolume, timings, undefined);
  }
  if (Number(found.major) > Number(target.major)) {
    throw new UserError(
      `${volume} holds PostgreSQL ${found.major} data, a later major than ${target.service.image} (PostgreSQL ${target.major})`,
      {
        hint: `PostgreSQL has no downgrade: use an image of PostgreSQL ${found.major} for ${target.service.name}`,
      },
    );
  }
  return fullUpgrade(options, target, found, timings);
}

async function fullUpgrade(
  options: UpgradePostgresOptions,
  target: Target,
  found: { major: string; rel: string },
  timings: Record<string, number>,
): Promise<UpgradePostgresResult> {
  const oldName = `${target.volume}-pg${found.major}`;
  const newName = `${target.volume}-pg${target.major}-new`;
  await prepareNewData(options, target, found, { oldName, newName }, timings).catch((error: unknown) => {
    throw stopped(error, `${target.volume} is untouched; run 'mkdev upgrade postgres' again to start over`);
  });
  await switchVolume(options, target, newName, found.rel, timings);
  return done(target, oldName, timings, found.major);
}

/** Steps 1 and 2: the old data copied aside, the new cluster made from it and verified; V untouched. */
async function prepareNewData(
  options: UpgradePostgresOptions,
  target: Target,
  found: { major: string; rel: string },
  { oldName, newName }: { oldName: string; newName: string },
  timings: Record<string, number>,
): Promise<void> {
  const { engine, stack, log } = options;
  const { volume } = target;
  const step = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
    if (options.signal.aborted) throw new InterruptedError();
    const t0 = Date.now();
    const result = await work();
    timings[name] = Date.now() - t0;
    return result;
  };
  const oldImage = await step('old image', () => resolveOldImage(options, target, found.major));
  log(
    `${volume}: PostgreSQL ${found.major} data; ${target.service.requestedImage} runs PostgreSQL ${target.major}`,
  );
  log(`old major's tools from ${oldImage}`);
  // Leftovers of an interrupted run: V was never touched, so they are made again from it.
  for (const name of [oldName, newName]) await removeOwnLeftover(engine, name, volume);

  const users = await step('stop', () => stopUsers(engine, volume));
  if (users.length > 0) log(`stopped ${users.join(', ')} (they use ${volume})`);

  await step('copy old', async () => {
    await createUpgradeVolume(engine, oldName, volume, 'old', oldImage, found.major);
    log(`copying ${volume} to ${oldName} (the old data, kept)`);
    await copyVolume(engine.connection, stack.project, target.image, volume, oldName, found.rel);
    await sameFiles(engine, target.image, volume, oldName);
  });

  const env = target.service.env;
  const server = (side: 'old' | 'new', image: string, volumeOfSide: string, dataDir: string, extra = {}) =>
    startPostgresServer(engine, {
      name: `${stack.project}-${target.service.name}-upgrade-${side}`,
      image,
      volume: volumeOfSide,
      mountAt: target.mountAt,
      dataDir,
      env: { ...env, ...extra },
      labels: { [LABEL.upgradeOf]: volume },
    });
  const oldDir = dirOf(found.rel);
  await createUpgradeVolume(engine, newName, volume, 'new', target.image, target.major);
  const started = await step('start servers', () =>
    Promise.allSettled([
      server('old', oldImage, oldName, oldDir === '' ? target.mountAt : `${target.mountAt}/${oldDir}`),
      // A cluster with no database but postgres: the dump creates every other one itself.
      server('new', target.image, newName, target.newDataDir, { POSTGRES_DB: 'postgres' }),
    ]),
  );
  const servers = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  try {
    const failed = started.find((s) => s.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
    const [from, to] = servers as [PostgresServer, PostgresServer];
    log(`dumping with PostgreSQL ${found.major}'s pg_dumpall into PostgreSQL ${target.major}'s psql`);
    const { bytes } = await step('dump and restore', () => dumpAllInto(from, to));
    log(
      `restored ${bytes < 1024 ** 2 ? `${Math.ceil(bytes / 1024)} KiB` : `${(bytes / 1024 ** 2).toFixed(1)} MiB`} of SQL; comparing both clusters`,
    );
    const [before, after] = await step('verify', () => Promise.all([inventory(from), inventory(to)]));
    const differences = inventoryDifferences(before, after);
    if (differences.length > 0) {
      throw new UserError(
        `the restored PostgreSQL ${target.major} cluster differs from the old one; ${volume} is untouched`,
        {
          details: differences.map((d) => `  - ${d}`).join('\n'),
          hint: `the old data is in ${volume} (and its copy ${oldName}); the restored cluster in ${newName}. Re-running 'mkdev upgrade postgres' starts over`,
        },
      );
    }
    log(`verified: ${inventorySummary(after)}, the same on both`);
  } finally {
    // Shut down cleanly before the new data directory is copied.
    await Promise.all(servers.map((s) => s.remove()));
  }
}

/** An unexpected failure as the user should read it: what stopped, and where their data is. */
function stopped(error: unknown, hint: string): unknown {
  if (error instanceof UserError || error instanceof InterruptedError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new UserError(`the upgrade stopped: ${message}`, { hint, cause: error });
}

/** V emptied (its PG_VERSION first), N copied in (PG_VERSION last), checked, N removed. */
async function switchVolume(
  options: UpgradePostgresOptions,
  target: Target,
  newName: string,
  oldRel: string | undefined,
  timings: Record<string, number>,
): Promise<void> {
  const { engine, stack, log } = options;
  if (options.signal.aborted) throw new InterruptedError();
  const t0 = Date.now();
  try {
    const users = await stopUsers(engine, target.volume);
    if (users.length > 0) log(`stopped ${users.join(', ')} (they use ${target.volume})`);
    log(`switching ${target.volume} to the new data`);
    await wipeVolume(engine.connection, stack.project, target.image, target.volume, oldRel ?? 'PG_VERSION');
    log(`emptied ${target.volume}; copying the new data in from ${newName}`);
    const last = join(target.newDataRel, 'PG_VERSION');
    await copyVolume(engine.connection, stack.project, target.image, newName, target.volume, last);
    await sameFiles(engine, target.image, newName, target.volume);
  } catch (error) {
    throw stopped(
      error,
      `the verified new data is in ${newName} and the old data in its copy; run 'mkdev upgrade postgres' again to finish`,
    );
  }
  await engine.connection.removeVolume(newName);
  timings.switch = Date.now() - t0;
}

function done(
  target: Target,
  oldVolume: string | undefined,
  timings: Record<string, number>,
  oldMajor: string | undefined,
): UpgradePostgresResult {
  const old = oldVolume
    ? ` The PostgreSQL ${oldMajor ?? 'old'} data stays in the volume ${oldVolume}: remove it once you are satisfied ('docker volume rm ${oldVolume}'; 'mkdev down --volumes' removes it with the rest).`
    : '';
  return {
    outcome: 'upgraded',
    volume: target.volume,
    timings,
    ...(oldVolume ? { oldVolume } : {}),
    message: `${target.volume} now holds PostgreSQL ${target.major} data; run 'mkdev up' to start ${target.service.name} on it.${old}`,
  };
}

async function resolveTarget(options: UpgradePostgresOptions): Promise<Target> {
  const { engine, stack } = options;
  const service = stack.services[options.service];
  if (service === undefined) {
    const postgres = Object.values(stack.services).filter((s) => s.volumes.length > 0);
    throw new UsageError(
      `no service '${options.service}' in this stack`,
      `name the Postgres service with --service (services with volumes: ${postgres.map((s) => s.name).join(', ')})`,
    );
  }
  if (!(await engine.connection.imagePresent(service.image))) {
    options.log(`pulling ${service.image}`);
    await engine.connection.pullImage(service.image, options.signal);
  }
  const facts = await imageFacts(engine.connection, service);
  if (facts?.product !== 'postgres') {
    throw new UserError(
      `${service.name}'s image ${service.image} does not run PostgreSQL as far as mkdev can tell`,
      {
        hint: 'mkdev knows PostgreSQL from PG_MAJOR in the image environment, as the official postgres images (and images built from them) set it',
      },
    );
  }
  const outside = dataOutsideVolumes(stack.project, facts, service);
  if (outside && !outside.verdict.ok) {
    // The data directory lies outside any named volume: restoring would put it where it is lost.
    throw new UserError(`${service.name}: ${outside.verdict.reason}`, { hint: outside.verdict.fix });
  }
  const file = versionFileOf('postgres', service, facts.env);
  if (file === undefined) {
    throw new UserError(`${service.name} keeps its data in no named volume: there is nothing to upgrade`, {
      hint: `mount a named volume at ${postgresDataDir(service, facts.env)} in ${service.name}'s 'volumes:'`,
    });
  }
  const mountAt = file.mount.target;
  const newDataDir = postgresDataDir(service, facts.env);
  return {
    service,
    image: service.image,
    major: facts.version,
    volume: volumeName(stack.project, file.mount.source),
    mountAt,
    newDataDir,
    newDataRel: relativeTo(mountAt, newDataDir),
    candidates: file.paths.map((p) => relativeTo(mountAt, p)),
  };
}
