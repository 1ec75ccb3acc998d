// Official image names in code, local images on machines that cannot pull them: the same mkdev image
// map `mkdev up --images` reads (the offline set here, a corporate mirror for users).
import { mapImage, readImageMapFile } from '../../stack/image-map.ts';

/**
 * The image to run for an official reference such as 'kong:3.9'. The map file is `mapFile`, else
 * MKDEV_IMAGES; with neither, or no entry for the reference, the official name is returned as is.
 * A relative map path is taken from the current directory, as on the command line.
 */
export async function resolveImage(
  official: string,
  mapFile: string | undefined = process.env.MKDEV_IMAGES,
): Promise<string> {
  if (mapFile === undefined || mapFile === '') return official;
  return mapImage(await readImageMapFile(mapFile, process.cwd()), official);
}
