// `mkdev upgrade postgres`: a service's Postgres volume from the major that wrote it to the major its image
// runs, by dump and restore with each major's own tools, the service keeping its volume name.
//
// The volume V the stack names keeps its name throughout; nothing the user has is deleted:
//   1. V is copied to O (<V>-pg<old>), checked file by file: the old data, kept until the user removes it.
//   2. The old major serves O, the new major a fresh volume N (<V>-pg<new>-new); pg_dumpall | psql moves
//      every role, database and row; every table's row count and checksum, every database and role
//      (with its password hash) are compared on both servers.
//   3. Only then V is emptied (its PG_VERSION first) and N copied in (PG_VERSION last), checked against
//      N, and N removed.
// Interrupted anywhere, a re-run knows where it was from V alone: V still holding the old major means
// steps 1-2 start again (V was never touched); V without PG_VERSION means the switch was under way,
// after verification, and is redone from N; V at the new major means it is done.
import type Docker from 'dockerode';
import { stopContainers } from '../engine/container-lifecycle.ts';
import { imageExists, pullImage } from '../engine/image.ts';
import { LABEL, projectFilter } from '../engine/labels.ts';
import { volumeName } from '../engine/names.ts';
import { readVolumeFiles } from '../engine/read-volume.ts';
import { copyVolume, existingVolume, volumeChecksum, wipeVolume } from '../engine/volume-ops.ts';
import { InterruptedError, isNotFound, UsageError, UserError } from '../errors.ts';
import { envMap, postgresDataDir, versionFileOf } from '../platform/data-products.ts';
import { dataOutsideVolumes, imageFacts } from '../platform/data-volumes.ts';
import { dumpAllInto } from '../platform/postgres-dump-restore.ts';
import { inventory, inventoryDifferences, inventorySummary } from '../platform/postgres-inventory.ts';
import { type PostgresServer, startPostgresServer } from '../platform/postgres-server.ts';
import type { ServiceSpec, Stack } from '../stack/model.ts';

export interface UpgradePostgresOptions {
  readonly stack: Stack;
  readonly docker: Docker;
  readonly service: string;
  /** The image of the old major, when the user names it (already through the image map). */
  readonly fromImage?: string;
  /** Maps an official reference (postgres:15) through the project's image map. */
  readonly mapImage: (reference: string) => Promise<string>;
  readonly log: (line: string) => void;
  readonly signal: AbortSignal;
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
  const { docker, stack } = options;
  const target = await resolveTarget(options);
  const timings: Record<string, number> = {};
  const { volume } = target;
  const found = await readPgVersion(docker, stack.project, volume, target.image, target.candidates);
  const upgradeVolumes = await volumesOfUpgrade(docker, volume);
  const oldVolume = upgradeVolumes.old;

  if (found?.major === target.major) {
    if (upgradeVolumes.new) await removeVolume(docker, upgradeVolumes.new);
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
    if (!(upgradeVolumes.old && upgradeVolumes.new)) {
      return {
        outcome: 'nothing-to-upgrade',
        volume,
        timings,
        message: `${volume} holds no PostgreSQL data (no PG_VERSION): nothing to upgrade`,
      };
    }
    // The switch was under way (V is emptied only after the new cluster was verified): finish it.
    options.log(
      `${volume} was being switched to the verified PostgreSQL ${target.major} data: finishing that`,
    );
    await switchVolume(options, target, upgradeVolumes.new, undefined, timings);
    return done(target, upgradeVolumes.old, timings, undefined);
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
  const { docker, stack, log } = options;
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
  for (const name of [oldName, newName]) await removeOwnLeftover(docker, name, volume);

  const stopped = await step('stop', () => stopUsers(docker, stack.project, volume));
  if (stopped.length > 0) log(`stopped ${stopped.join(', ')} (they use ${volume})`);

  await step('copy old', async () => {
    await createVolume(docker, stack.project, oldName, volume, 'old', oldImage, found.major);
    log(`copying ${volume} to ${oldName} (the old data, kept)`);
    await copyVolume(docker, stack.project, target.image, volume, oldName, found.rel);
    await sameFiles(docker, stack.project, target.image, volume, oldName);
  });

  const env = target.service.env;
  const server = (side: 'old' | 'new', image: string, volumeOfSide: string, dataDir: string, extra = {}) =>
    startPostgresServer(docker, {
      name: `${stack.project}-${target.service.name}-upgrade-${side}`,
      image,
      volume: volumeOfSide,
      mountAt: target.mountAt,
      dataDir,
      env: { ...env, ...extra },
      project: stack.project,
      labels: { [LABEL.upgradeOf]: volume },
    });
  const oldDir = dirOf(found.rel);
  await createVolume(docker, stack.project, newName, volume, 'new', target.image, target.major);
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
  const { docker, stack, log } = options;
  if (options.signal.aborted) throw new InterruptedError();
  const t0 = Date.now();
  try {
    const users = await stopUsers(docker, stack.project, target.volume);
    if (users.length > 0) log(`stopped ${users.join(', ')} (they use ${target.volume})`);
    log(`switching ${target.volume} to the new data`);
    await wipeVolume(docker, stack.project, target.image, target.volume, oldRel ?? 'PG_VERSION');
    log(`emptied ${target.volume}; copying the new data in from ${newName}`);
    const last = join(target.newDataRel, 'PG_VERSION');
    await copyVolume(docker, stack.project, target.image, newName, target.volume, last);
    await sameFiles(docker, stack.project, target.image, newName, target.volume);
  } catch (error) {
    throw stopped(
      error,
      `the verified new data is in ${newName} and the old data in its copy; run 'mkdev upgrade postgres' again to finish`,
    );
  }
  await removeVolume(docker, newName);
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
  const { docker, stack } = options;
  const service = stack.services[options.service];
  if (service === undefined) {
    const postgres = Object.values(stack.services).filter((s) => s.volumes.length > 0);
    throw new UsageError(
      `no service '${options.service}' in this stack`,
      `name the Postgres service with --service (services with volumes: ${postgres.map((s) => s.name).join(', ')})`,
    );
  }
  if (!(await imageExists(docker, service.image))) {
    options.log(`pulling ${service.image}`);
    await pullImage(docker, service.image, () => {}, { signal: options.signal });
  }
  const facts = await imageFacts(docker, service);
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

/** The major V's PG_VERSION states, and where (relative to the volume's root); undefined when none. */
async function readPgVersion(
  docker: Docker,
  project: string,
  volume: string,
  image: string,
  candidates: readonly string[],
): Promise<{ major: string; rel: string } | undefined> {
  const exists = (await existingVolume(docker, volume)) !== undefined;
  if (!exists) throw new UserError(`the volume ${volume} does not exist: there is nothing to upgrade`);
  const paths = candidates.map((rel) => `/v/${rel}`);
  const texts = await readVolumeFiles(docker, { volume, image, mountAt: '/v', paths, project });
  for (const rel of candidates) {
    const major = texts.get(`/v/${rel}`)?.trim();
    if (major && /^\d+(\.\d+)?$/.test(major)) return { major, rel };
  }
  return undefined;
}

/** The volumes an earlier run made for V (by label), by role. */
async function volumesOfUpgrade(docker: Docker, volume: string): Promise<{ old?: string; new?: string }> {
  const list = await docker.listVolumes({ filters: { label: [`${LABEL.upgradeOf}=${volume}`] } });
  const found: { old?: string; new?: string } = {};
  for (const v of list.Volumes ?? []) {
    const role = v.Labels?.[LABEL.upgradeRole];
    if (role === 'old' || role === 'new') found[role] = v.Name;
  }
  return found;
}

async function createVolume(
  docker: Docker,
  project: string,
  name: string,
  of: string,
  role: 'old' | 'new',
  image: string,
  major: string,
): Promise<void> {
  await docker.createVolume({
    Name: name,
    Labels: {
      [LABEL.project]: project,
      [LABEL.upgradeOf]: of,
      [LABEL.upgradeRole]: role,
      [LABEL.image]: image,
      [LABEL.dataProduct]: 'postgres',
      [LABEL.dataVersion]: major,
    },
  });
}

/** Removes a volume an earlier run of this upgrade made; refuses one of that name that it did not make. */
async function removeOwnLeftover(docker: Docker, name: string, of: string): Promise<void> {
  const info = await existingVolume(docker, name);
  if (info === undefined) return;
  if (info.Labels?.[LABEL.upgradeOf] !== of) {
    throw new UserError(
      `a volume named ${name} exists and was not made by 'mkdev upgrade postgres' for ${of}`,
      {
        hint: `rename or remove ${name} yourself; mkdev does not remove volumes it did not make`,
      },
    );
  }
  await removeVolume(docker, name);
}

async function removeVolume(docker: Docker, name: string): Promise<void> {
  await docker
    .getVolume(name)
    .remove()
    .catch((error: unknown) => {
      if (!isNotFound(error)) throw error;
    });
}

/** Stops the project's containers that mount `volume`; their names. */
async function stopUsers(docker: Docker, project: string, volume: string): Promise<string[]> {
  const containers = await docker.listContainers({ filters: projectFilter(project) });
  const users = containers.filter((c) => (c.Mounts ?? []).some((m) => m.Name === volume));
  await stopContainers(users.map((c) => docker.getContainer(c.Id)));
  return users.map((c) => (c.Names?.[0] ?? c.Id).replace(/^\//, ''));
}

async function sameFiles(
  docker: Docker,
  project: string,
  image: string,
  a: string,
  b: string,
): Promise<void> {
  const [x, y] = await Promise.all([
    volumeChecksum(docker, project, image, a),
    volumeChecksum(docker, project, image, b),
  ]);
  if (x.checksum !== y.checksum || x.files !== y.files) {
    throw new Error(
      `the copy of ${a} in ${b} differs (${x.files} files, ${y.files} copied): nothing was switched`,
    );
  }
}

/**
 * The image of the data's major: the one the user named, else the image V was created with, else the
 * old container's, else the official postgres:<major> through the image map (pulled if needed).
 */
async function resolveOldImage(
  options: UpgradePostgresOptions,
  target: Target,
  major: string,
): Promise<string> {
  const { docker } = options;
  const runsMajor = async (image: string) => {
    const info = await docker
      .getImage(image)
      .inspect()
      .catch(() => undefined);
    return info !== undefined && envMap(info.Config?.Env ?? []).PG_MAJOR === major;
  };
  if (options.fromImage) {
    if (!(await imageExists(docker, options.fromImage))) await pullImage(docker, options.fromImage, () => {});
    if (await runsMajor(options.fromImage)) return options.fromImage;
    throw new UserError(`${options.fromImage} does not run PostgreSQL ${major} (PG_MAJOR)`, {
      hint: `name an image of PostgreSQL ${major} with --from, e.g. postgres:${major}`,
    });
  }
  const volume = await docker.getVolume(target.volume).inspect();
  const containers = await docker.listContainers({
    all: true,
    filters: projectFilter(options.stack.project),
  });
  const candidates = [
    volume.Labels?.[LABEL.image],
    ...containers.filter((c) => c.Labels?.[LABEL.service] === target.service.name).map((c) => c.ImageID),
  ].filter((c): c is string => c !== undefined && c !== '');
  for (const candidate of candidates) if (await runsMajor(candidate)) return candidate;
  const official = await options.mapImage(`postgres:${major}`);
  if (!(await imageExists(docker, official))) {
    options.log(`pulling ${official}`);
    await pullImage(docker, official, () => {}, { signal: options.signal });
  }
  if (await runsMajor(official)) return official;
  throw new UserError(`${official} does not run PostgreSQL ${major}`, {
    hint: `name an image of PostgreSQL ${major} with --from`,
  });
}
