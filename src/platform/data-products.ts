// The products whose data outlives their image: PostgreSQL and RabbitMQ. What an image runs (from its
// environment, the official images' contract, or from an official tag before it is pulled), where that
// product keeps the version of its data, and whether a version can open another's data.
import type { ServiceSpec, VolumeMount } from '../stack/model.ts';
import { type RabbitVerdict, rabbitmqVerdict, seriesOf } from './rabbitmq-upgrades.ts';

export type DataProduct = 'postgres' | 'rabbitmq';

export const PRODUCT_NAME: Readonly<Record<DataProduct, string>> = {
  postgres: 'PostgreSQL',
  rabbitmq: 'RabbitMQ',
};

/** A product at a version: a Postgres major ("17"), a RabbitMQ series ("4.0"). */
export interface ProductVersion {
  readonly product: DataProduct;
  readonly version: string;
}

/**
 * What an image runs, from its environment: the official postgres image sets PG_MAJOR, the official
 * rabbitmq image RABBITMQ_VERSION (docker-library/postgres 17/trixie/Dockerfile, docker-library/rabbitmq
 * 4.3/ubuntu/Dockerfile); images built FROM them inherit it, and the offline set sets both.
 */
export function productOfImageEnv(env: readonly string[]): ProductVersion | undefined {
  const vars = envMap(env);
  const pgMajor = vars.PG_MAJOR;
  if (pgMajor !== undefined && /^\d+(\.\d+)?$/.test(pgMajor))
    return { product: 'postgres', version: pgMajor };
  const series = vars.RABBITMQ_VERSION === undefined ? undefined : seriesOf(vars.RABBITMQ_VERSION);
  if (series !== undefined) return { product: 'rabbitmq', version: series };
  return undefined;
}

const OFFICIAL =
  /^(?:(?:docker\.io|index\.docker\.io|registry-1\.docker\.io)\/)?(?:library\/)?(postgres|rabbitmq):(.+)$/;

/**
 * What an official image reference will run, read from its tag, for an image not on the engine yet:
 * postgres:17, postgres:17.2-alpine -> PostgreSQL 17; rabbitmq:4.3-management -> RabbitMQ 4.3. A tag
 * that does not name the version (latest, rabbitmq:4-management) says nothing.
 */
export function productOfReference(reference: string): ProductVersion | undefined {
  const match = OFFICIAL.exec(reference.split('@')[0] ?? '');
  if (!match) return undefined;
  const [, repo, tag = ''] = match;
  if (repo === 'postgres') {
    const major = /^(\d+)(?:\.\d+)?(?:[-.].*)?$/.exec(tag)?.[1];
    // Majors from 10 on are one number; 9.x majors were two ("9.6").
    const old = /^(9\.\d+)/.exec(tag)?.[1];
    if (old !== undefined) return { product: 'postgres', version: old };
    return major === undefined ? undefined : { product: 'postgres', version: major };
  }
  const series = /^(\d+\.\d+)(?:[-.].*)?$/.exec(tag)?.[1];
  return series === undefined ? undefined : { product: 'rabbitmq', version: series };
}

export function envMap(env: readonly string[]): Record<string, string> {
  return Object.fromEntries(
    env.filter((e) => e.includes('=')).map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]),
  );
}

/** Where, in one of the service's named volumes, the product records the version of its data. */
export interface VersionFile {
  readonly mount: VolumeMount;
  /** The index of that mount in the service's `volumes:` (for messages naming the field). */
  readonly index: number;
  /** Absolute paths in the container, tried in order; the first that exists says the version. */
  readonly paths: readonly string[];
}

/** The named volume holding `dir` (the deepest mount at or above it). */
function volumeHolding(service: ServiceSpec, dir: string): { mount: VolumeMount; index: number } | undefined {
  let best: { mount: VolumeMount; index: number } | undefined;
  service.volumes.forEach((mount, index) => {
    if (mount.kind !== 'volume') return;
    const holds = dir === mount.target || dir.startsWith(`${mount.target.replace(/\/$/, '')}/`);
    if (holds && (best === undefined || mount.target.length > best.mount.target.length))
      best = { mount, index };
  });
  return best;
}

/**
 * Postgres: PG_VERSION in its data directory (PGDATA: the service's, else the image's, else the
 * default of the official images up to 17). Also tried: PG_VERSION at the volume's root and under
 * data/, where the data of an earlier layout sits (the official 18 image moved PGDATA to
 * /var/lib/postgresql/18/docker and the volume to /var/lib/postgresql).
 */
export function postgresDataDir(service: ServiceSpec, imageEnv: Readonly<Record<string, string>>): string {
  return service.env.PGDATA ?? imageEnv.PGDATA ?? '/var/lib/postgresql/data';
}

/**
 * RabbitMQ: the enabled-feature-flags file, <mnesia base>/<node name>-feature_flags (rabbit_env.erl
 * at v4.0.5, :971-977). The node name is rabbit@<hostname> unless RABBITMQ_NODENAME says otherwise; a
 * service without a fixed hostname gets a new node (and an empty data directory) with every container.
 */
export function rabbitmqFlagsFile(
  service: ServiceSpec,
  imageEnv: Readonly<Record<string, string>>,
): string | undefined {
  const env = { ...imageEnv, ...service.env };
  if (env.RABBITMQ_FEATURE_FLAGS_FILE) return env.RABBITMQ_FEATURE_FLAGS_FILE;
  const host = service.hostname?.split('.')[0];
  const configured = env.RABBITMQ_NODENAME;
  const node = configured?.includes('@')
    ? configured
    : host
      ? `${configured ?? 'rabbit'}@${host}`
      : undefined;
  if (node === undefined) return undefined;
  const base = env.RABBITMQ_MNESIA_BASE ?? `${env.RABBITMQ_DATA_DIR ?? '/var/lib/rabbitmq'}/mnesia`;
  return `${base.replace(/\/$/, '')}/${node}-feature_flags`;
}

export function versionFileOf(
  product: DataProduct,
  service: ServiceSpec,
  imageEnv: Readonly<Record<string, string>>,
): VersionFile | undefined {
  if (product === 'postgres') {
    const dataDir = postgresDataDir(service, imageEnv);
    const holder =
      volumeHolding(service, dataDir) ??
      volumeHolding(service, '/var/lib/postgresql/data') ??
      volumeHolding(service, '/var/lib/postgresql');
    if (holder === undefined) return undefined;
    const root = holder.mount.target.replace(/\/$/, '');
    const candidates = [
      ...(volumeHolding(service, dataDir)?.mount === holder.mount ? [`${dataDir}/PG_VERSION`] : []),
      `${root}/PG_VERSION`,
      `${root}/data/PG_VERSION`,
    ];
    return { ...holder, paths: [...new Set(candidates)] };
  }
  const file = rabbitmqFlagsFile(service, imageEnv);
  if (file === undefined) return undefined;
  const holder = volumeHolding(service, file.slice(0, file.lastIndexOf('/')));
  return holder === undefined ? undefined : { ...holder, paths: [file] };
}

/** The data's version from the version file's text; for RabbitMQ, the series its enabled flags reach. */
export interface DataVersion extends ProductVersion {
  /** RabbitMQ: the enabled feature flags. */
  readonly flags: readonly string[];
  /** Where it was read, inside the container. */
  readonly path: string;
}

export type Verdict = RabbitVerdict;

/** Whether `image` opens data at `data`; when not, why (both versions named) and what to do. */
export function dataVerdict(data: DataVersion, image: ProductVersion, service: string): Verdict {
  if (data.product === 'rabbitmq') return rabbitmqVerdict(data.version, image.version, data.flags);
  if (data.version === image.version) return { ok: true };
  const upgrade =
    service === 'postgres' ? 'mkdev upgrade postgres' : `mkdev upgrade postgres --service ${service}`;
  if (Number(data.version) < Number(image.version)) {
    return {
      ok: false,
      reason: `PostgreSQL ${image.version} cannot open the data directory of PostgreSQL ${data.version}: a new major needs a dump and restore`,
      fix: `run '${upgrade}' (dumps with PostgreSQL ${data.version}, restores into ${image.version}, keeps the old data in a volume of its own), or keep this service's image at postgres:${data.version}`,
    };
  }
  return {
    ok: false,
    reason: `the data directory is of PostgreSQL ${data.version}, a later major than the image's PostgreSQL ${image.version}: PostgreSQL does not open data of a later major`,
    fix: `use an image of PostgreSQL ${data.version} (postgres:${data.version}) for this service`,
  };
}
