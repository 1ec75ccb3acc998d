import { describe, expect, it } from 'vitest';
import { configHash } from '../plan/config-hash.ts';
import { normalizeService } from '../stack/normalize.ts';
import { containerCreateOptions } from './container-spec.ts';

const context = { project: 'demo', projectDir: '/p', images: {}, source: 'mkdev.yaml:1' };
const ctx = { project: 'demo', network: 'mkdev-demo', replica: 1, configHash: 'h' };

describe('restart policy on the container', () => {
  it("is the engine's RestartPolicy, with a retry count only for on-failure", () => {
    const service = normalizeService('api', { image: 'x' }, context);
    const job = normalizeService('job', { image: 'x', one_shot: true }, context);
    expect(containerCreateOptions(service, ctx).HostConfig?.RestartPolicy).toEqual({
      Name: 'unless-stopped',
    });
    expect(containerCreateOptions(job, ctx).HostConfig?.RestartPolicy).toEqual({
      Name: 'on-failure',
      MaximumRetryCount: 3,
    });
  });

  it('is part of the config hash: changing it recreates the service', () => {
    const a = normalizeService('api', { image: 'x' }, context);
    const b = normalizeService('api', { image: 'x', restart: 'no' }, context);
    expect(configHash(a)).not.toBe(configHash(b));
  });
});
