import { describe, expect, it } from 'vitest';
import type { ServiceSpec, VolumeMount } from '../stack/model.ts';
import {
  dataVerdict,
  productOfImageEnv,
  productOfReference,
  rabbitmqFlagsFile,
  versionFileOf,
} from './data-products.ts';

const volume = (source: string, target: string): VolumeMount => ({
  source,
  target,
  kind: 'volume',
  readOnly: false,
});
const service = (over: Partial<ServiceSpec>) =>
  ({
    name: 'postgres',
    env: {},
    volumes: [],
    image: 'postgres:17',
    requestedImage: 'postgres:17',
    ...over,
  }) as ServiceSpec;

describe('what an image runs', () => {
  it("reads the official images' environment", () => {
    expect(productOfImageEnv(['PATH=/usr/bin', 'PG_MAJOR=17', 'PG_VERSION=17.9-1.pgdg13+1'])).toEqual({
      product: 'postgres',
      version: '17',
    });
    expect(productOfImageEnv(['RABBITMQ_VERSION=4.3.2'])).toEqual({ product: 'rabbitmq', version: '4.3' });
    expect(productOfImageEnv(['PATH=/usr/bin'])).toBeUndefined();
  });

  it('reads an official tag that names the version, and only such a tag', () => {
    expect(productOfReference('postgres:17')).toEqual({ product: 'postgres', version: '17' });
    expect(productOfReference('postgres:17.2-alpine')).toEqual({ product: 'postgres', version: '17' });
    expect(productOfReference('docker.io/library/postgres:18')).toEqual({
      product: 'postgres',
      version: '18',
    });
    expect(productOfReference('postgres:9.6')).toEqual({ product: 'postgres', version: '9.6' });
    expect(productOfReference('rabbitmq:4.3-management')).toEqual({ product: 'rabbitmq', version: '4.3' });
    expect(productOfReference('rabbitmq:3.10.8-management-alpine')).toEqual({
      product: 'rabbitmq',
      version: '3.10',
    });
    expect(productOfReference('rabbitmq:4-management')).toBeUndefined();
    expect(productOfReference('postgres:latest')).toBeUndefined();
    expect(productOfReference('bitnami/postgresql:17')).toBeUndefined();
  });
});

describe('where the data states its version', () => {
  it("is PG_VERSION in Postgres' data directory, in the volume that holds it", () => {
    const pg = service({ volumes: [volume('postgres-data', '/var/lib/postgresql/data')] });
    expect(versionFileOf('postgres', pg, {})?.paths[0]).toBe('/var/lib/postgresql/data/PG_VERSION');
    // postgres:18's layout: the volume one level up, the data in 18/docker.
    const pg18 = service({ volumes: [volume('pg', '/var/lib/postgresql')] });
    expect(versionFileOf('postgres', pg18, { PGDATA: '/var/lib/postgresql/18/docker' })?.paths).toEqual([
      '/var/lib/postgresql/18/docker/PG_VERSION',
      '/var/lib/postgresql/PG_VERSION',
      '/var/lib/postgresql/data/PG_VERSION',
    ]);
    expect(versionFileOf('postgres', service({}), {})).toBeUndefined();
  });

  it("is RabbitMQ's feature_flags file of the node the hostname names", () => {
    const rabbit = service({
      name: 'rabbitmq',
      hostname: 'rabbitmq',
      volumes: [volume('rabbitmq-data', '/var/lib/rabbitmq')],
    });
    expect(rabbitmqFlagsFile(rabbit, {})).toBe('/var/lib/rabbitmq/mnesia/rabbit@rabbitmq-feature_flags');
    expect(versionFileOf('rabbitmq', rabbit, {})?.index).toBe(0);
    expect(rabbitmqFlagsFile({ ...rabbit, env: { RABBITMQ_NODENAME: 'hare@box' } }, {})).toBe(
      '/var/lib/rabbitmq/mnesia/hare@box-feature_flags',
    );
    // Without a fixed hostname every container is a new node with a data directory of its own.
    expect(rabbitmqFlagsFile({ ...rabbit, hostname: undefined } as ServiceSpec, {})).toBeUndefined();
  });
});

describe('whether Postgres opens the data', () => {
  const data = (version: string) => ({
    product: 'postgres' as const,
    version,
    flags: [],
    path: '/x/PG_VERSION',
  });
  it('opens only its own major and names the upgrade command otherwise', () => {
    expect(dataVerdict(data('17'), { product: 'postgres', version: '17' }, 'postgres')).toEqual({ ok: true });
    const up = dataVerdict(data('15'), { product: 'postgres', version: '17' }, 'postgres');
    expect(up.ok).toBe(false);
    if (!up.ok) {
      expect(up.reason).toContain('PostgreSQL 17 cannot open the data directory of PostgreSQL 15');
      expect(up.fix).toContain("'mkdev upgrade postgres'");
    }
    const other = dataVerdict(data('15'), { product: 'postgres', version: '17' }, 'orders-db');
    if (!other.ok) expect(other.fix).toContain('mkdev upgrade postgres --service orders-db');
    const down = dataVerdict(data('17'), { product: 'postgres', version: '15' }, 'postgres');
    if (!down.ok) expect(down.fix).toContain('postgres:17');
  });
});
