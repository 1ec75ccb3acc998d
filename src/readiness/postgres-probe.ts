import pg from 'pg';
import type { ReadyProbe } from '../stack/model.ts';
import { notReady, type Probe, READY, reasonOf, requirePort } from './probe.ts';

type PostgresProbeSpec = Extract<ReadyProbe, { kind: 'postgres' }>;

/** Ready when a real query succeeds with the configured credentials (stronger than pg_isready). */
export function postgresProbe(spec: PostgresProbeSpec): Probe {
  return {
    description: `SELECT 1 as ${spec.user} on ${spec.database}`,
    async check(target) {
      const client = new pg.Client({
        host: target.host,
        port: requirePort(target, spec.port),
        user: spec.user,
        password: spec.password,
        database: spec.database,
        connectionTimeoutMillis: 2000,
      });
      client.on('error', () => {});
      try {
        await client.connect();
        await client.query('SELECT 1');
        return READY;
      } catch (error) {
        return notReady(reasonOf(error));
      } finally {
        await client.end().catch(() => {});
      }
    },
  };
}
