// The offline Postgres and RabbitMQ images state the version they run in their environment, as the
// official images do (PG_MAJOR, RABBITMQ_VERSION): mkdev's data checks read it from there, so it must
// be the version of the server actually installed.
import { afterAll, describe, expect, it } from 'vitest';
import { allLogs } from '../src/engine/container-ops.ts';
import { envMap } from '../src/platform/data-products.ts';
import { docker, offlineImage, Resources, requireImage } from './lib/test-docker.ts';

const resources = new Resources();
afterAll(() => resources.cleanup());

/** Runs `cmd` in a container of `image` (its entrypoint passes non-server commands through); the output. */
async function output(image: string, cmd: string[]): Promise<string> {
  const container = await resources.run({ Image: image, Cmd: cmd });
  await container.wait();
  return allLogs(container);
}

describe.each(['postgres:17', 'postgres:15'])('%s', (official) => {
  it('runs the PostgreSQL major its PG_MAJOR names', async () => {
    const image = await offlineImage(official);
    await requireImage(image);
    const env = envMap((await docker.getImage(image).inspect()).Config.Env ?? []);
    expect(env.PG_MAJOR).toBe(official.split(':')[1]);
    expect(await output(image, ['sh', '-c', 'postgres --version'])).toMatch(
      new RegExp(`^postgres \\(PostgreSQL\\) ${env.PG_MAJOR}\\.\\d+`),
    );
  });
});

describe.each(['rabbitmq:4.3-management', 'rabbitmq:3.10-management'])('%s', (official) => {
  it('runs the RabbitMQ its RABBITMQ_VERSION names', async () => {
    const image = await offlineImage(official);
    await requireImage(image);
    const env = envMap((await docker.getImage(image).inspect()).Config.Env ?? []);
    expect(env.RABBITMQ_VERSION).toMatch(/^\d+\.\d+\.\d+$/);
    const packaged = await output(image, ['dpkg-query', '-W', '-f', '${Version}', 'rabbitmq-server']);
    expect(packaged.startsWith(`${env.RABBITMQ_VERSION}-`)).toBe(true);
  });
});
