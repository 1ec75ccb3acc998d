// Every image a stack pulls rather than builds: the services' images, and the images built services
// start FROM (their BUILD_IMAGE/BASE_IMAGE args). `mkdev pull` fetches them; `mkdev doctor` checks them.

import { IMAGE_BUILD_ARGS } from './image-reference.ts';
import type { ServiceSpec } from './model.ts';

export interface PulledImage {
  readonly image: string;
  /** The services that need it, in stack order. */
  readonly services: readonly string[];
}

export function pulledImages(services: readonly ServiceSpec[]): PulledImage[] {
  const byImage = new Map<string, string[]>();
  for (const service of services) {
    const images = service.build
      ? IMAGE_BUILD_ARGS.flatMap((arg) => {
          const ref = service.build?.args[arg];
          return ref === undefined ? [] : [ref];
        })
      : [service.image];
    for (const image of images) byImage.set(image, [...(byImage.get(image) ?? []), service.name]);
  }
  return [...byImage].map(([image, users]) => ({ image, services: users }));
}
