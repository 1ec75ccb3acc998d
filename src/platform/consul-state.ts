// Consul KV for snapshots: export every key (base64 values and flags), restore by replacing them all.
import { request } from 'undici';

export interface KvEntry {
  readonly Key: string;
  readonly Value: string | null;
  readonly Flags: number;
}

export async function exportKv(consulUrl: string): Promise<KvEntry[]> {
  const res = await request(`${consulUrl}/v1/kv/?recurse`);
  const text = await res.body.text();
  if (res.statusCode === 404) return [];
  if (res.statusCode !== 200) throw new Error(`Consul KV export answered ${res.statusCode}: ${text}`);
  return (JSON.parse(text) as KvEntry[]).map(({ Key, Value, Flags }) => ({ Key, Value, Flags }));
}

export async function importKv(consulUrl: string, entries: readonly KvEntry[]): Promise<void> {
  const cleared = await request(`${consulUrl}/v1/kv/?recurse`, { method: 'DELETE' });
  await cleared.body.dump();
  for (const entry of entries) {
    const body = entry.Value === null ? '' : Buffer.from(entry.Value, 'base64');
    const res = await request(`${consulUrl}/v1/kv/${entry.Key}?flags=${entry.Flags}`, {
      method: 'PUT',
      body,
    });
    const ok = (await res.body.text()).trim() === 'true';
    if (!ok) throw new Error(`Consul refused to restore ${entry.Key}`);
  }
}
