// Removing a project's network when something still holds it: a container that is not the project's
// is never disconnected by mkdev; the user is told which one, and the next `down` finishes the job.
import { randomBytes } from 'node:crypto';
import type Docker from 'dockerode';
import { afterAll, describe, expect, it } from 'vitest';
import { DockerConnection } from '../src/engine/docker-connection.ts';
import { networkName } from '../src/engine/names.ts';
import { ensureNetwork } from '../src/engine/network.ts';
import { tearDown } from '../src/project/tear-down.ts';
import { docker, offlineImage } from './support/cli.ts';

const project = `net-held-${randomBytes(3).toString('hex')}`;
const engine = new DockerConnection(docker).project(project);
let foreign: Docker.Container | undefined;

afterAll(async () => {
  await foreign?.remove({ force: true });
  await tearDown(engine, { volumes: true, stopTimeoutSeconds: 0 }).catch(() => {});
});

describe('tearing down a network another container holds', () => {
  it('fails naming the container, touches it not, and succeeds once it is disconnected', async () => {
    const network = await ensureNetwork(docker, project);
    const image = await offlineImage('python:3.13-slim-trixie');
    // Labelled as this test's own, not as the project's.
    foreign = await docker.createContainer({
      Image: image,
      Cmd: ['sleep', '300'],
      name: `${project}-visitor`,
      Labels: { 'dev.mkdev.test': project },
      HostConfig: { NetworkMode: network },
    });
    await foreign.start();

    const failed = tearDown(engine, { volumes: true, stopTimeoutSeconds: 0 });
    await expect(failed).rejects.toThrow(
      `the network ${networkName(project)} is still used by ${project}-visitor`,
    );
    expect((await foreign.inspect()).State.Running).toBe(true);

    await docker.getNetwork(network).disconnect({ Container: foreign.id });
    await tearDown(engine, { volumes: true, stopTimeoutSeconds: 0 });
    expect(await docker.listNetworks({ filters: { name: [network] } })).toEqual([]);
  }, 60_000);
});
