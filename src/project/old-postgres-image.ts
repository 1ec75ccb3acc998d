// Which image runs the old major for `mkdev upgrade postgres`: the one the user names, else one the
// engine has that ran this data, else the official postgres:<major> through the project's image map.
import type Docker from 'dockerode';
import { imageExists, pullImage } from '../engine/image.ts';
import { LABEL, projectFilter } from '../engine/labels.ts';
import { UserError } from '../errors.ts';
import { envMap } from '../platform/data-products.ts';
import type { ServiceSpec, Stack } from '../stack/model.ts';

export interface OldImageOptions {
  readonly docker: Docker;
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
