// Kong's cluster events (kong/cluster_events/init.lua + strategies/postgres.lua): a node broadcasts a
// configuration change by inserting a row into `cluster_events`; every node polls that table every
// db_update_frequency seconds for rows of other nodes and runs its callbacks. Nothing else makes a
// node notice a change in the database: a direct SQL write or a restore is not seen until restart.
import { randomUUID } from 'node:crypto';
import type { Db } from './db.ts';
import { log } from './log.ts';

/** kong.core_cache's channel (kong/global.lua init_core_cache: "invalidations_" .. shm name). */
export const CORE_INVALIDATIONS = 'invalidations_kong_core_db_cache';
export const BALANCER_UPSTREAMS = 'balancer:upstreams';
export const BALANCER_TARGETS = 'balancer:targets';

/** MIN_EVENT_TTL_IN_DB: rows expire after an hour (or 10 x db_update_propagation). */
const MIN_EVENT_TTL_IN_DB = 3600;

export type EventHandler = (channel: string, data: string) => void;

export class ClusterEvents {
  private readonly db: Db;
  private readonly nodeId: string;
  private readonly intervalMs: number;
  private readonly offset: number;
  private at = 0;
  private readonly ran = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;

  constructor(db: Db, nodeId: string, pollInterval: number, pollOffset: number) {
    this.db = db;
    this.nodeId = nodeId;
    this.intervalMs = Math.max(pollInterval, 0) * 1000;
    this.offset = Math.max(pollOffset, 0);
  }

  async broadcast(channel: string, data: string): Promise<void> {
    const ttl = Math.max(this.offset * 10, MIN_EVENT_TTL_IN_DB);
    await this.db.query(
      `INSERT INTO cluster_events (id, node_id, at, nbf, expire_at, channel, data)
       VALUES ($1, $2, CURRENT_TIMESTAMP(3) AT TIME ZONE 'UTC', NULL,
               CURRENT_TIMESTAMP(3) AT TIME ZONE 'UTC' + make_interval(secs => $3), $4, $5)`,
      [randomUUID(), this.nodeId, ttl, channel, data],
    );
  }

  /** Starts polling from the database's current time; the first poll runs one interval from now. */
  async start(channels: string[], handler: EventHandler): Promise<void> {
    const r = await this.db.query(
      "SELECT EXTRACT(EPOCH FROM CURRENT_TIMESTAMP(3) AT TIME ZONE 'UTC') AS now",
    );
    this.at = Number(r.rows[0]?.now ?? Date.now() / 1000);
    const tick = () => {
      this.poll(channels, handler)
        .catch((e) => log('error', `[cluster_events] ${(e as Error).message}`))
        .finally(() => {
          if (this.timer) this.timer = setTimeout(tick, this.intervalMs).unref();
        });
    };
    this.timer = setTimeout(tick, this.intervalMs).unref();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private async poll(channels: string[], handler: EventHandler): Promise<void> {
    const minAt = this.at - this.offset - 0.001;
    const r = await this.db.query(
      `SELECT id, node_id, channel, data,
              EXTRACT(EPOCH FROM at AT TIME ZONE 'UTC') AS at,
              EXTRACT(EPOCH FROM CURRENT_TIMESTAMP(3) AT TIME ZONE 'UTC') AS now
         FROM cluster_events
        WHERE channel = ANY($1) AND at > TO_TIMESTAMP($2) AT TIME ZONE 'UTC'
          AND at <= CURRENT_TIMESTAMP(3) AT TIME ZONE 'UTC'
        ORDER BY at`,
      [channels, minAt],
    );
    if (r.rows.length > 0) this.at = Number(r.rows[0].now);
    const now = Date.now();
    for (const [id, until] of this.ran) if (until < now) this.ran.delete(id);
    for (const row of r.rows) {
      if (row.node_id === this.nodeId || this.ran.has(row.id)) continue;
      // events_shm keeps "ran" marks for poll_interval * 2 + poll_offset
      this.ran.set(row.id, now + (this.intervalMs / 1000) * 2000 + this.offset * 1000);
      log('debug', `[cluster_events] new event (channel: '${row.channel}') data: '${row.data}'`);
      handler(String(row.channel), String(row.data));
    }
  }
}
