import { describe, expect, it } from 'vitest';
import { UserError } from '../errors.ts';
import type { ServiceSpec } from '../stack/model.ts';
import { buildFailure, lostCachedStep } from './ensure-image.ts';

const service = {
  name: 'app',
  image: 'mkdev-shop-app:dev',
  build: { context: '/p/app', dockerfile: 'Dockerfile', args: {} },
} as unknown as ServiceSpec;
const failed = (message: string) => buildFailure(service, message, []);
const H = '508fc70b0a65bcbe27f74d579d85ee52a3cf557add42be4be30b48f86664ad98';

describe('lostCachedStep', () => {
  // The three ways engine 28's classic builder ended a build whose cached step another removal deleted
  // (30 builds raced against `docker rmi` of an image sharing their chain).
  it.each([
    `failed to get digest sha256:${H}: open /var/lib/docker/image/overlay2/imagedb/content/sha256/${H}: no such file or directory`,
    `No such image: sha256:${H}`,
    `unable to find image "sha256:${H}"`,
  ])('knows the engine losing a cached step: %s', (message) => {
    expect(lostCachedStep(failed(message))).toBe(true);
  });

  it("does not take the user's own build failures for it", () => {
    expect(lostCachedStep(failed("The command '/bin/sh -c npm ci' returned a non-zero code: 1"))).toBe(false);
    expect(lostCachedStep(failed('pull access denied for nosuchbase, repository does not exist'))).toBe(
      false,
    );
    expect(lostCachedStep(failed('No such image: mkdev-offline/node:24'))).toBe(false);
    // Not a build's failure at all (the engine unreachable, a bug): never built again.
    expect(lostCachedStep(new Error(`No such image: sha256:${H}`))).toBe(false);
    expect(lostCachedStep(new UserError('building app failed: context canceled'))).toBe(false);
  });
});
