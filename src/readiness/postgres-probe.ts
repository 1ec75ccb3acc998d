import type { ReadyProbe } from '../stack/model.ts';
import { notReady, type Probe, READY, reasonOf, requirePort } from './probe.ts';

// pg (about 180 kB) is not loaded with the command: it is imported at the first check, while the other
// probes of `status` or `up` wait on the network, and never by a command that probes no Postgres.
let pgModule: Promise<typeof import('pg')> | undefined;
const loadPg = () => {
  pgModule ??= import('pg');
  return pgModule;
};

type PostgresProbeSpec = Extract<ReadyProbe, { kind: 'postgres' }>;

/** Ready when a real query succeeds with the configured credentials (stronger than pg_isready). */
export function postgresProbe(spec: PostgresProbeSpec): Probe {
  return {
    description: `SELECT 1 as ${spec.user} on ${spec.database}`,
    async check(target) {
      const { default: pg } = await loadPg();
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
