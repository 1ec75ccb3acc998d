// The tests here run on whatever the image map says: the offline set on mkdev's own machines (which
// cannot pull), the official images elsewhere when MKDEV_IMAGES names another map.
import { fileURLToPath } from 'node:url';
import { resolveImage } from './resolve-image.ts';

const OFFLINE_MAP = fileURLToPath(new URL('../../../images/offline-image-map.yaml', import.meta.url));

export function testImage(official: string): Promise<string> {
  return resolveImage(official, process.env.MKDEV_IMAGES || OFFLINE_MAP);
}
