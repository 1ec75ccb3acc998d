import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docker, hostPort, offlineImage, Resources, requireImage, waitFor } from './lib/test-docker.ts';

const IMAGE = await offlineImage('prom/prometheus:v2.55.1');
const resources = new Resources();

beforeAll(() => requireImage(IMAGE));
afterAll(() => resources.cleanup());

describe(IMAGE, () => {
  it('answers /-/ready with 200 and scrapes itself by default', async () => {
    const container = await resources.run({
      Image: IMAGE,
      ports: ['9090/tcp'],
      HostConfig: { Binds: [`${await resources.volume()}:/prometheus`] },
    });
    const base = `http://127.0.0.1:${await hostPort(container, '9090/tcp')}`;
    const ready = await waitFor('/-/ready to answer 200', async () => {
      const response = await fetch(`${base}/-/ready`, { signal: AbortSignal.timeout(2000) });
      return response.status === 200 ? response : undefined;
    });
    expect(ready.status).toBe(200);
    const config = (await (await fetch(`${base}/api/v1/status/config`)).json()) as { data: { yaml: string } };
    expect(config.data.yaml).toContain('job_name: prometheus');
  });

  it('is laid out like prom/prometheus', async () => {
    const info = await docker.getImage(IMAGE).inspect();
    expect(info.Config.Entrypoint).toEqual(['/usr/bin/prometheus']);
    expect(info.Config.Cmd).toContain('--config.file=/etc/prometheus/prometheus.yml');
    expect(info.Config.Cmd).toContain('--storage.tsdb.path=/prometheus');
    expect(Object.keys(info.Config.Volumes ?? {})).toContain('/prometheus');
    expect(Object.keys(info.Config.ExposedPorts ?? {})).toContain('9090/tcp');
  });
});
