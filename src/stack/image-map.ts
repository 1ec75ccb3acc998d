// The image map: official image reference -> the image to use instead (the offline set here, a
// corporate mirror for users). From --images, MKDEV_IMAGES, or `images:` in mkdev.yaml.
import { resolve } from 'node:path';
import { UserError } from '../errors.ts';
import { readYamlSource } from './yaml-source.ts';

export type ImageMap = Readonly<Record<string, string>>;

export async function readImageMapFile(file: string, cwd: string): Promise<ImageMap> {
  const path = resolve(cwd, file);
  const source = await readYamlSource(path, file).catch((error: unknown) => {
    if (!(error instanceof UserError) || !error.message.endsWith('no such file')) throw error;
    throw new UserError(`cannot read the image map ${file}: no such file`, {
      hint: 'check the path given to --images or MKDEV_IMAGES (the offline set: images/offline-image-map.yaml)',
    });
  });
  const images = (source.value as { images?: unknown }).images;
  if (images === null || typeof images !== 'object' || Array.isArray(images)) {
    throw new UserError(`${source.locate(['images'])}: an image map needs an 'images:' mapping`, {
      hint: 'write `images:` followed by lines like `kong:3.9: my.mirror/kong:3.9`',
    });
  }
  for (const [from, to] of Object.entries(images)) {
    if (typeof to !== 'string' || to === '') {
      throw new UserError(
        `${source.locate(['images', from])}: image map entry '${from}' must map to an image name`,
        { hint: `write it as \`${from}: <image you have>\`` },
      );
    }
  }
  return images as ImageMap;
}

export function mapImage(map: ImageMap, reference: string): string {
  return map[reference] ?? reference;
}
