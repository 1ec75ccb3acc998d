// Which image runs the old major for `mkdev upgrade postgres`: the one the user names, else one the
// engine has that ran this data, else the official postgres:<major> through the project's image map.
import type { Engine } from '../engine/engine.ts';
import { LABEL } from '../engine/labels.ts';
import { UserError } from '../errors.ts';
import { envMap } from '../platform/data-products.ts';
import type { ServiceSpec, Stack } from '../stack/model.ts';

export interface OldImageOptions {
  readonly engine: Engine;
  readonly stack: Stack;
  /** The image of the old major, when the user names it (already through the image map). */
  readonly fromImage?: string;
  /** Maps an official reference (postgres:15) through the project's image map. */
  readonly mapImage: (reference: string) => Promise<string>;
  readonly log: (line: string) => void;
  readonly signal: AbortSignal;
}

/**
 * The image of the data's major: the one the user named, else the image V was created with, else the
 * old container's, else the official postgres:<major> through the image map (pulled if needed).
 */
export async function resolveOldImage(
  options: OldImageOptions,
  target: { readonly volume: string; readonly service: ServiceSpec },
  major: string,
): Promise<string> {
  const connection = options.engine.connection;
  const runsMajor = async (image: string) => {
    const env = await connection.imageEnv(image).catch(() => undefined);
    return env !== undefined && envMap(env).PG_MAJOR === major;
  };
  if (options.fromImage) {
    if (!(await connection.imagePresent(options.fromImage))) await connection.pullImage(options.fromImage);
    if (await runsMajor(options.fromImage)) return options.fromImage;
    throw new UserError(`${options.fromImage} does not run PostgreSQL ${major} (PG_MAJOR)`, {
      hint: `name an image of PostgreSQL ${major} with --from, e.g. postgres:${major}`,
    });
  }
  const volume = await connection.volume(target.volume);
  const containers = await options.engine.containers(target.service.name);
  const candidates = [volume?.labels[LABEL.image], ...containers.map((c) => c.image)].filter(
    (c): c is string => c !== undefined && c !== '',
  );
  for (const candidate of candidates) if (await runsMajor(candidate)) return candidate;
  const official = await options.mapImage(`postgres:${major}`);
  if (!(await connection.imagePresent(official))) {
    options.log(`pulling ${official}`);
    await connection.pullImage(official, options.signal);
  }
  if (await runsMajor(official)) return official;
  throw new UserError(`${official} does not run PostgreSQL ${major}`, {
    hint: `name an image of PostgreSQL ${major} with --from`,
  });
}
