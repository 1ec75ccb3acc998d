import { describe, expect, it } from 'vitest';
import { mapBuildArg, normalizeService } from './normalize.ts';

const images = { 'node:24-bookworm-slim': 'mkdev-offline/node:24' };
const context = { project: 'demo', projectDir: '/p', images, source: 'mkdev.yaml:1' };

describe('build args and the image map', () => {
  it('maps BASE_IMAGE through the image map, like image:', () => {
    const spec = normalizeService(
      'orders',
      {
        build: {
          context: 'services/orders',
          args: { BASE_IMAGE: 'node:24-bookworm-slim', OTHER: 'node:24-bookworm-slim' },
        },
      },
      context,
    );
    expect(spec.build?.args).toEqual({ BASE_IMAGE: 'mkdev-offline/node:24', OTHER: 'node:24-bookworm-slim' });
    expect(spec.build?.context).toBe('/p/services/orders');
  });

  it("maps a multi-stage build's BUILD_IMAGE too (the Go template's toolchain stage)", () => {
    const goImages = {
      'golang:1.27-trixie': 'mkdev-offline/golang:1.27',
      'debian:trixie-slim': 'mkdev-offline/debian:trixie',
    };
    const spec = normalizeService(
      'billing',
      {
        build: {
          context: 'services/billing',
          args: { BUILD_IMAGE: 'golang:1.27-trixie', BASE_IMAGE: 'debian:trixie-slim' },
        },
      },
      { ...context, images: goImages },
    );
    expect(spec.build?.args).toEqual({
      BUILD_IMAGE: 'mkdev-offline/golang:1.27',
      BASE_IMAGE: 'mkdev-offline/debian:trixie',
    });
  });

  it('leaves unmapped images and other args alone', () => {
    expect(mapBuildArg(images, 'BASE_IMAGE', 'python:3.13-slim-trixie')).toBe('python:3.13-slim-trixie');
    expect(mapBuildArg(images, 'VERSION', 'node:24-bookworm-slim')).toBe('node:24-bookworm-slim');
  });
});

describe('restart policies', () => {
  it('long-running services come back unless stopped; one-shot jobs are retried on failure', () => {
    const service = normalizeService('api', { image: 'x' }, context);
    const job = normalizeService('job', { image: 'x', one_shot: true }, context);
    expect(service.restart).toEqual({ name: 'unless-stopped', maxRetries: 0 });
    expect(job.restart).toEqual({ name: 'on-failure', maxRetries: 3 });
  });

  it('takes a per-service override', () => {
    const pick = (restart: string) => normalizeService('api', { image: 'x', restart }, context).restart;
    expect(pick('no')).toEqual({ name: 'no', maxRetries: 0 });
    expect(pick('on-failure:7')).toEqual({ name: 'on-failure', maxRetries: 7 });
    expect(pick('always')).toEqual({ name: 'always', maxRetries: 0 });
  });
});
