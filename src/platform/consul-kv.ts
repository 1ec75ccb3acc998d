// Consul's KV store, spoken with the `consul` client: the migrations flag lives here.
import Consul from 'consul';

export async function putKv(baseUrl: string, key: string, value: string): Promise<void> {
  const url = new URL(baseUrl);
  const consul = new Consul({
    host: url.hostname,
    port: Number(url.port),
    secure: url.protocol === 'https:',
  });
  const ok = await consul.kv.set(key, value);
  if (ok !== true) throw new Error(`Consul refused to set ${key}`);
}

export async function getKv(baseUrl: string, key: string): Promise<string | undefined> {
  const url = new URL(baseUrl);
  const consul = new Consul({ host: url.hostname, port: Number(url.port) });
  const entry = (await consul.kv.get(key)) as { Value?: string | null } | undefined | null;
  return entry?.Value ?? undefined;
}

export async function deleteKv(baseUrl: string, key: string): Promise<void> {
  const url = new URL(baseUrl);
  const consul = new Consul({ host: url.hostname, port: Number(url.port) });
  const ok = await consul.kv.del(key);
  if (ok !== true) throw new Error(`Consul refused to delete ${key}`);
}
