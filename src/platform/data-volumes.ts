// A service's data volumes against the image that is to open them: what the image runs, what version the
// data is (read from the data itself: a volume's labels say only what created it), and whether the one
// opens the other. `up`'s preflight, `mkdev doctor` and `mkdev upgrade` all ask this one place.
import type { EngineConnection } from '../engine/engine.ts';
import { LABEL } from '../engine/labels.ts';
import { volumeName } from '../engine/names.ts';
import { UserError } from '../errors.ts';
import type { ServiceSpec } from '../stack/model.ts';
import {
  type DataVersion,
  dataVerdict,
  envMap,
  PRODUCT_NAME,
  type ProductVersion,
  postgresDataDir,
  productOfImageEnv,
  productOfReference,
  type Verdict,
  versionFileOf,
} from './data-products.ts';
import { parseFeatureFlagsFile, seriesOfFlags } from './rabbitmq-upgrades.ts';

/** What a service's image runs, and its environment when the image is on the engine. */
export interface ImageFacts extends ProductVersion {
  readonly env: Readonly<Record<string, string>>;
  readonly present: boolean;
}

export async function imageFacts(
  engine: EngineConnection,
  service: ServiceSpec,
): Promise<ImageFacts | undefined> {
  const env = await engine.imageEnv(service.image);
  if (env !== undefined) {
    const product = productOfImageEnv(env);
    return product && { ...product, env: envMap(env), present: true };
  }
  const product = productOfReference(service.requestedImage) ?? productOfReference(service.image);
  return product && { ...product, env: {}, present: false };
}

export interface DataVolumeState {
  readonly service: string;
  /** The stack field: volumes[0]. */
  readonly field: string;
  /** The engine's name of the volume. */
  readonly volume: string;
  readonly image: ProductVersion & { readonly reference: string };
  /** The data's version; undefined when the volume does not exist yet or holds no data of the product. */
  readonly data?: DataVersion;
  /** The volume's labels: the image and version that created it (mkdev before labels set none). */
  readonly createdBy?: { readonly image?: string; readonly version?: string };
  readonly verdict: Verdict;
}

/**
 * The service's data volume against its image, or undefined when the image runs no product mkdev knows
 * or the service keeps no data in a named volume. `readerImages`: images already on the engine that
 * could serve to read the volume when the service's image is not pulled yet (the old container's).
 */
export async function inspectDataVolume(
  engine: EngineConnection,
  project: string,
  service: ServiceSpec,
  readerImages: readonly string[] = [],
  options: { readonly pull?: boolean } = {},
): Promise<DataVolumeState | undefined> {
  const facts = await imageFacts(engine, service);
  if (facts === undefined) return undefined;
  const image = { product: facts.product, version: facts.version, reference: shownImage(service) };
  const outside = dataOutsideVolumes(project, facts, service);
  if (outside) return outside;
  const file = versionFileOf(facts.product, service, facts.env);
  if (file === undefined) return undefined;
  const volume = volumeName(project, file.mount.source);
  const base = { service: service.name, field: `volumes[${file.index}]`, volume, image };
  const info = await engine.volume(volume);
  if (info === undefined) return { ...base, verdict: { ok: true } };
  const { labels } = info;
  const createdBy = {
    ...(labels[LABEL.image] ? { image: labels[LABEL.image] } : {}),
    ...(labels[LABEL.dataVersion] ? { version: labels[LABEL.dataVersion] } : {}),
  };
  const others = [...readerImages, ...(createdBy.image ? [createdBy.image] : [])];
  const reader = await readerImage(engine, service, others, options.pull !== false);
  const texts = await engine.readVolumeFiles({
    volume,
    image: reader,
    mountAt: file.mount.target,
    paths: file.paths,
    project,
  });
  const found = file.paths
    .map((path) => [path, texts.get(path)] as const)
    .find(([, text]) => text !== undefined);
  const data = found && dataVersionOf(facts.product, found[0], found[1] as string);
  if (data === undefined) return { ...base, createdBy, verdict: { ok: true } };
  return { ...base, data, createdBy, verdict: dataVerdict(data, facts, service.name) };
}

/** The version a version file states; undefined when it states none (an empty or foreign file). */
export function dataVersionOf(
  product: DataVersion['product'],
  path: string,
  text: string,
): DataVersion | undefined {
  if (product === 'postgres') {
    const version = text.trim();
    return /^\d+(\.\d+)?$/.test(version) ? { product, version, flags: [], path } : undefined;
  }
  const flags = parseFeatureFlagsFile(text);
  const version = seriesOfFlags(flags);
  return version === undefined ? undefined : { product, version, flags, path };
}

/**
 * A Postgres whose data directory no named volume holds keeps its data in the image's anonymous volume:
 * gone with the container. Happens when the official 18 image (PGDATA /var/lib/postgresql/18/docker)
 * meets a volume mounted where 17 kept its data (/var/lib/postgresql/data).
 */
export function dataOutsideVolumes(
  project: string,
  facts: ImageFacts,
  service: ServiceSpec,
): DataVolumeState | undefined {
  if (facts.product !== 'postgres') return undefined;
  const named = service.volumes.map((v, i) => [v, i] as const).filter(([v]) => v.kind === 'volume');
  const dataDir = postgresDataDir(service, facts.env);
  const held = named.some(
    ([v]) => dataDir === v.target || dataDir.startsWith(`${v.target.replace(/\/$/, '')}/`),
  );
  const [first] = named;
  if (held || first === undefined) return undefined;
  const [mount, index] = first;
  return {
    service: service.name,
    field: `volumes[${index}]`,
    volume: volumeName(project, mount.source),
    image: { product: facts.product, version: facts.version, reference: shownImage(service) },
    verdict: {
      ok: false,
      reason: `${service.requestedImage} keeps its data in ${dataDir} (PGDATA), which no named volume holds (${mount.source} is mounted at ${mount.target}): the data would live and die with the container`,
      fix: `mount the volume at a directory holding ${dataDir} (the official postgres:18 image's is /var/lib/postgresql), or set PGDATA under ${mount.target}`,
    },
  };
}

/** The image as the stack names it, and what the image map turned it into. */
export function shownImage(service: ServiceSpec): string {
  return service.image === service.requestedImage
    ? service.image
    : `${service.requestedImage} (mapped to ${service.image})`;
}

/** An image on the engine to create the reading container from; pulls the service's as a last resort. */
async function readerImage(
  engine: EngineConnection,
  service: ServiceSpec,
  others: readonly string[],
  pull: boolean,
): Promise<string> {
  for (const candidate of [service.image, ...others]) {
    if (await engine.imagePresent(candidate)) return candidate;
  }
  if (!pull)
    throw new UserError(`no image on the engine to read the volume with (${service.image} is not pulled)`);
  await engine.pullImage(service.image);
  return service.image;
}

/** A one-line description: "PostgreSQL 15 data (created by postgres:15)". */
export function describeData(state: DataVolumeState): string {
  const name = PRODUCT_NAME[state.image.product];
  const data = state.data ? `${name} ${state.data.version} data` : 'no data yet';
  const created = state.createdBy?.image ? ` (created by ${state.createdBy.image})` : '';
  return `${state.volume}: ${data}${created}; ${state.image.reference} runs ${name} ${state.image.version}`;
}

/**
 * Labels for a volume about to be created for `service`: the image it is created for and, when the
 * image runs a product mkdev knows, the product and its version. Read from the image when it is on the
 * engine, else from an official tag; left out when neither says (the data says it later).
 */
export async function newVolumeLabels(
  engine: EngineConnection,
  service: ServiceSpec,
): Promise<Record<string, string>> {
  const facts = await imageFacts(engine, service);
  return {
    [LABEL.image]: service.image,
    ...(facts ? { [LABEL.dataProduct]: facts.product, [LABEL.dataVersion]: facts.version } : {}),
  };
}
