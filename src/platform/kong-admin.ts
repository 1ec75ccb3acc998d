// Kong's Admin API, as far as the stack itself needs it: enabling a global plugin once. Every `up`
// runs it (a no-op one too), so it goes over http-request.ts, not undici (see there why).
import { httpRequest } from '../http-request.ts';

async function json(url: string, init: { method?: 'GET' | 'POST' | 'PATCH'; body?: unknown } = {}) {
  const res = await httpRequest(url, {
    method: init.method ?? 'GET',
    headers: { 'content-type': 'application/json' },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  return {
    status: res.status,
    body: res.body === '' ? undefined : (JSON.parse(res.body) as Record<string, unknown>),
  };
}

/** Whether every field asked for already has that value (Kong fills the rest with defaults). */
function holds(current: unknown, wanted: unknown): boolean {
  if (wanted === null || typeof wanted !== 'object' || Array.isArray(wanted))
    return JSON.stringify(current) === JSON.stringify(wanted);
  if (current === null || typeof current !== 'object') return false;
  const have = current as Record<string, unknown>;
  return Object.entries(wanted).every(([key, value]) => holds(have[key], value));
}

/**
 * Enables a global plugin, or updates its config when it differs: idempotent. An unchanged plugin is
 * not written: every write makes each Kong node rebuild its plugins iterator (a cluster event).
 */
export async function ensureGlobalPlugin(
  adminUrl: string,
  name: string,
  config?: Record<string, unknown>,
): Promise<'created' | 'updated' | 'kept'> {
  const list = await json(`${adminUrl}/plugins?size=1000`);
  const existing = (
    (list.body?.data as {
      id: string;
      name: string;
      config: unknown;
      service: unknown;
      route: unknown;
      consumer: unknown;
    }[]) ?? []
  ).find((p) => p.name === name && p.service === null && p.route === null && p.consumer === null);
  if (existing && (config === undefined || holds(existing.config, config))) return 'kept';
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
