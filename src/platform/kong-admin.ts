// Kong's Admin API, as far as the stack itself needs it: enabling a global plugin once.
import { request } from 'undici';

async function json(url: string, init: { method?: 'GET' | 'POST' | 'PATCH'; body?: unknown } = {}) {
  const res = await request(url, {
    method: init.method ?? 'GET',
    headers: { 'content-type': 'application/json' },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  const text = await res.body.text();
  return {
    status: res.statusCode,
    body: text === '' ? undefined : (JSON.parse(text) as Record<string, unknown>),
  };
}

/** Enables a global plugin, or updates its config when it is already enabled: idempotent. */
export async function ensureGlobalPlugin(
  adminUrl: string,
  name: string,
  config?: Record<string, unknown>,
): Promise<'created' | 'updated'> {
  const list = await json(`${adminUrl}/plugins?size=1000`);
  const existing = (
    (list.body?.data as {
      id: string;
      name: string;
      service: unknown;
      route: unknown;
      consumer: unknown;
    }[]) ?? []
  ).find((p) => p.name === name && p.service === null && p.route === null && p.consumer === null);
  if (existing) {
    const res = await json(`${adminUrl}/plugins/${existing.id}`, {
      method: 'PATCH',
      body: config === undefined ? {} : { config },
    });
    if (res.status !== 200)
      throw new Error(
        `Kong refused to update plugin ${name}: HTTP ${res.status} ${JSON.stringify(res.body)}`,
      );
    return 'updated';
  }
  const res = await json(`${adminUrl}/plugins`, {
    method: 'POST',
    body: { name, ...(config === undefined ? {} : { config }) },
  });
  if (res.status !== 201)
    throw new Error(`Kong refused to enable plugin ${name}: HTTP ${res.status} ${JSON.stringify(res.body)}`);
  return 'created';
}
