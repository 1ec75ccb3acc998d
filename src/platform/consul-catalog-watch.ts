// A service's instances in Consul's catalog (what Consul's DNS, and so Kong, answers from), followed
// with blocking queries: `?index=N&wait=…` holds the request until the catalog's X-Consul-Index for
// the service passes N (https://developer.hashicorp.com/consul/api-docs/features/blocking), so a
// change is seen when it happens rather than at a poll's next tick. As the page says, an answer is no
// proof of a change (the wait ran out, an idempotent write), and an index that goes backwards (a
// restarted agent) starts over from 0.

export interface CatalogInstance {
  readonly ServiceID: string;
  readonly ServiceAddress: string;
  readonly ServicePort: number;
}

/** One answer: the instances and the index to wait past next. */
async function catalogService(
  consulUrl: string,
  service: string,
  index: number,
  waitMs: number,
  signal: AbortSignal,
): Promise<{ instances: CatalogInstance[]; index: number }> {
  const url = new URL(`/v1/catalog/service/${encodeURIComponent(service)}`, consulUrl);
  if (index > 0) {
    url.searchParams.set('index', String(index));
    url.searchParams.set('wait', `${Math.max(1, Math.ceil(waitMs / 1000))}s`);
  }
  // Consul adds up to wait/16 to the wait, and `wait` is in whole seconds: the caller's deadline ends it.
  const res = await fetch(url, { signal: AbortSignal.any([signal, AbortSignal.timeout(waitMs)]) });
  if (!res.ok) {
    await res.body?.cancel();
    throw new Error(`Consul answered ${res.status} to GET ${url.pathname}`);
  }
  const instances = (await res.json()) as CatalogInstance[];
  const next = Number(res.headers.get('x-consul-index'));
  return { instances, index: Number.isInteger(next) && next > 0 ? next : 0 };
}

/**
 * Resolves true once `done` holds for the service's instances in the catalog, false when `timeoutMs`
 * runs out or `signal` aborts first. Errors (Consul busy or restarting) are retried until then.
 */
export async function untilCatalog(
  consulUrl: string,
  service: string,
  done: (instances: readonly CatalogInstance[]) => boolean,
  timeoutMs: number,
  signal: AbortSignal = new AbortController().signal,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  let index = 0;
  while (!signal.aborted && Date.now() < deadline) {
    try {
      const answer = await catalogService(consulUrl, service, index, deadline - Date.now(), signal);
      if (done(answer.instances)) return true;
      index = answer.index < index ? 0 : answer.index;
      // No index to wait past (an answer without the header): ask again after a pause, not at once.
      if (index === 0) await new Promise((r) => setTimeout(r, 50));
    } catch {
      if (signal.aborted || Date.now() >= deadline) break;
      // Consul busy or restarting: ask again without an index, after a pause so as not to spin.
      index = 0;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return false;
}
