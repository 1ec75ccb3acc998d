// Test support for the testcontainers modules' own tests (not shipped: it reads images/, which the
// package does not carry). The tests run on whatever the image map says: the offline set on mkdev's own machines (which
// cannot pull), the official images elsewhere when MKDEV_IMAGES names another map.
import { fileURLToPath } from 'node:url';
import { GenericContainer, type StartedNetwork, type StartedTestContainer, Wait } from 'testcontainers';
import { KongContainer, type StartedKongContainer } from '../../src/testing/containers/kong-container.ts';
import { ownerLabels } from '../../src/testing/containers/owner-label.ts';
import { resolveImage } from '../../src/testing/containers/resolve-image.ts';

const OFFLINE_MAP = fileURLToPath(new URL('../../images/offline-image-map.yaml', import.meta.url));

export function testImage(official: string): Promise<string> {
  return resolveImage(official, process.env.MKDEV_IMAGES || OFFLINE_MAP);
}

/** Kong's database in these tests: what KongContainer.withPostgres({ host: 'kong-database', ...KONG_DB }) needs. */
export const KONG_DB = { user: 'kong', password: 'kong-secret', database: 'kong' };

/** Postgres on `network` as `kong-database`, ready for Kong's migrations. */
export async function startKongDatabase(network: StartedNetwork): Promise<StartedTestContainer> {
  const { user, password, database } = KONG_DB;
  return (
    new GenericContainer(await testImage('postgres:17'))
      .withNetwork(network)
      .withNetworkAliases('kong-database')
      .withEnvironment({ POSTGRES_USER: user, POSTGRES_PASSWORD: password, POSTGRES_DB: database })
      // Over TCP on purpose: the image's init phase runs a socket-only server that a plain
      // pg_isready would already accept.
      .withWaitStrategy(Wait.forSuccessfulCommand(`pg_isready -h 127.0.0.1 -U ${user} -d ${database}`))
      .withLabels(ownerLabels())
      .start()
  );
}

/** Kong on Postgres on `network`: the database, then Kong bootstrapped on it (the database goes if Kong fails). */
export async function startKongOnPostgres(
  network: StartedNetwork,
): Promise<{ postgres: StartedTestContainer; kong: StartedKongContainer }> {
  const postgres = await startKongDatabase(network);
  try {
    const kong = await new KongContainer(await testImage('kong:3.9'))
      .withNetwork(network)
      .withPostgres({ host: 'kong-database', ...KONG_DB })
      .start();
    return { postgres, kong };
  } catch (error) {
    await postgres.stop().catch(() => {});
    throw error;
  }
}
