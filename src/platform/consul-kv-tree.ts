// Consul's whole KV store, read-only, for the dashboard's tree: keys with their values as text and the
// Raft indexes that say when each was written (Consul keeps no wall-clock time for a key).
import { request } from 'undici';

export interface KvNode {
  readonly key: string;
  /** The value as UTF-8 text; null for a key without a value (a "folder" key). */
  readonly value: string | null;
  readonly flags: number;
  readonly createIndex: number;
  readonly modifyIndex: number;
}

interface RawEntry {
  Key: string;
  Value: string | null;
  Flags: number;
  CreateIndex: number;
  ModifyIndex: number;
}

export async function readKvTree(consulUrl: string): Promise<KvNode[]> {
  const res = await request(`${consulUrl}/v1/kv/?recurse`, { headersTimeout: 5000 });
  const text = await res.body.text();
  if (res.statusCode === 404) return [];
  if (res.statusCode !== 200) throw new Error(`Consul KV answered ${res.statusCode}: ${text.slice(0, 200)}`);
  return (JSON.parse(text) as RawEntry[]).map((e) => ({
    key: e.Key,
    value: e.Value === null ? null : Buffer.from(e.Value, 'base64').toString('utf8'),
    flags: e.Flags,
    createIndex: e.CreateIndex,
    modifyIndex: e.ModifyIndex,
  }));
}
