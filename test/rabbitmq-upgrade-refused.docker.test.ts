// A RabbitMQ 3.10 volume (Debian 12's rabbitmq-server, as `rabbitmq:3.10-management`) under the stack's
// RabbitMQ 4 image (offline: Debian 13's 4.0.5): outside RabbitMQ's upgrade path, so `up` refuses
// before starting anything, naming both series and the path. The real 4.0 on that data shows why.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allLogs } from '../src/engine/container-ops.ts';
import { docker, offlineImage, projectResources, removeProject, testProject } from './support/cli.ts';

const ON_3_10 = 'services:\n  rabbitmq:\n    image: rabbitmq:3.10-management\n';

describe('a RabbitMQ 3.10 volume under the RabbitMQ 4 image', () => {
  const project = testProject('rabbit310', { 'mkdev.yaml': ON_3_10 });
  const volume = `${project.name}_rabbitmq-data`;
  const rabbitmq = async () =>
    (await projectResources(project.name)).containers.find(
      (c) => c.Labels['dev.mkdev.service'] === 'rabbitmq',
    );

  beforeAll(async () => {
    const up = await project.run(['up', 'rabbitmq']);
    if (up.exitCode !== 0) throw new Error(`mkdev up failed:\n${up.all}`);
  });
  afterAll(() => removeProject(project.name));

  it('was labelled with the image and series that created it', async () => {
    const { volumes } = await projectResources(project.name);
    expect(volumes.find((v) => v.Name === volume)?.Labels).toMatchObject({
      'dev.mkdev.image': await offlineImage('rabbitmq:3.10-management'),
      'dev.mkdev.data-product': 'rabbitmq',
      'dev.mkdev.data-version': '3.10',
    });
  });

  it('up refuses it with the 4.0 image, naming both series and the path to follow; nothing changes', async () => {
    const before = await rabbitmq();
    project.write('mkdev.yaml', 'services: {}\n');
    const up = await project.run(['up', 'rabbitmq']);
    expect(up.exitCode).toBe(1);
    expect(up.all).toContain(
      `rabbitmq: volumes[0]: volume ${volume}: RabbitMQ 4.0 opens only data of RabbitMQ 4.0 or 3.13`,
    );
    expect(up.all).toContain('this data is of RabbitMQ 3.10');
    expect(up.all).toContain('3.10 -> 3.11 -> 3.12 -> 3.13 -> 4.0');
    expect(up.all).toContain('rabbitmqctl enable_feature_flag all');
    expect(up.all).toContain('rabbitmqctl export_definitions');
    const after = await rabbitmq();
    expect(after?.Id).toBe(before?.Id);
    expect(after?.State).toBe('running');
  });

  it('mkdev doctor shows the same', async () => {
    const doctor = await project.run(['doctor', '--json']);
    const checks = (
      JSON.parse(doctor.stdout) as { checks: { name: string; status: string; detail: string }[] }
    ).checks;
    expect(checks.find((c) => c.name === 'data of rabbitmq')).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('this data is of RabbitMQ 3.10'),
    });
  });

  it('is right to: RabbitMQ 4.0 itself does not boot on that data', async () => {
    const { containers } = await projectResources(project.name);
    const node = containers.find((c) => c.Labels['dev.mkdev.service'] === 'rabbitmq');
    await docker.getContainer(node?.Id as string).stop({ t: 30 });
    const probe = await docker.createContainer({
      Image: await offlineImage('rabbitmq:4.3-management'),
      Hostname: 'rabbitmq',
      Labels: { 'dev.mkdev.project': project.name },
      HostConfig: { Mounts: [{ Type: 'volume', Source: volume, Target: '/var/lib/rabbitmq' }] },
    });
    try {
      await probe.start();
      const { StatusCode } = (await probe.wait()) as { StatusCode: number };
      expect(StatusCode).not.toBe(0);
      expect(await allLogs(probe)).toContain('required feature flag not enabled');
    } finally {
      await probe.remove({ force: true, v: true });
    }
  });
});
