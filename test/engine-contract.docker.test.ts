// The engine port over dockerode against the real engine: the same contract the fake engine holds to
// (src/engine/fake-engine.test.ts), so unit tests on the fake stand for the real thing.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packContext } from '../src/engine/build-context.ts';
import { DockerConnection } from '../src/engine/docker-connection.ts';
import { isNotFound } from '../src/errors.ts';
import { docker, offlineImage } from './support/cli.ts';
import { engineContract } from './support/engine-contract.ts';

const prefix = `engine-port-contract-${randomBytes(3).toString('hex')}`;
const withVolume = `${prefix}/with-volume:1`;

engineContract(
  'dockerode, real engine',
  async () => {
    const image = await offlineImage('python:3.13-slim-trixie');
    return {
      connection: new DockerConnection(docker),
      image,
      imageWithVolume: async () => {
        const context = mkdtempSync(join(tmpdir(), `${prefix}-`));
        writeFileSync(join(context, 'Dockerfile'), `FROM ${image}\nVOLUME /data\n`);
        const stream = await docker.buildImage(await packContext(context), { t: withVolume });
        await new Promise((resolve, reject) =>
          docker.modem.followProgress(stream, (error) => (error ? reject(error) : resolve(undefined))),
        );
        return withVolume;
      },
      anonymousVolumes: async (id) => {
        const info = await docker.getContainer(id).inspect();
        return info.Mounts.filter((m) => m.Destination === '/data').map((m) => m.Name ?? '');
      },
      volumeExists: (name) =>
        docker
          .getVolume(name)
          .inspect()
          .then(
            () => true,
            (error: unknown) => (isNotFound(error) ? false : Promise.reject(error)),
          ),
      cleanup: async (projects) => {
        const connection = new DockerConnection(docker);
        for (const name of projects) {
          const engine = connection.project(name);
          for (const c of await engine.containers()) await engine.remove(c);
          await engine.removeNetwork();
          await engine.removeVolumes();
          await engine.removeBuiltImages();
        }
        await docker
          .getImage(withVolume)
          .remove()
          .catch(() => {});
      },
    };
  },
  prefix,
);
