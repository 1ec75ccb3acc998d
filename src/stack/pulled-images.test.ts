import { describe, expect, it } from 'vitest';
import { stackOf } from '../../test/support/stack-of.ts';
import { pulledImages } from './pulled-images.ts';

describe('pulledImages', () => {
  it("is the services' images and the images built services start FROM, each once with who needs it", () => {
    const stack = stackOf('shop', {
      db: { image: 'postgres:17' },
      replica: { image: 'postgres:17' },
      api: { build: { context: 'api', args: { BUILD_IMAGE: 'golang:1.24', BASE_IMAGE: 'debian:trixie' } } },
      worker: { build: { context: 'worker', args: { BASE_IMAGE: 'debian:trixie', OTHER: 'x:1' } } },
    });
    expect(pulledImages(Object.values(stack.services))).toEqual([
      { image: 'postgres:17', services: ['db', 'replica'] },
      { image: 'golang:1.24', services: ['api'] },
      { image: 'debian:trixie', services: ['api', 'worker'] },
    ]);
  });

  it('is nothing for a built service that names no base image', () => {
    const stack = stackOf('shop', { api: { build: 'api', image: 'shop/api:dev' } });
    expect(pulledImages(Object.values(stack.services))).toEqual([]);
  });
});
