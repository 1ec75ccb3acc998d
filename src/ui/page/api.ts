// The page's calls to its server: the token comes from the URL mkdev ui printed, and goes in a header
// for actions (the server refuses actions without it) and in the query for the event stream.
import type { TraceDetail, TraceSummary } from '../../platform/traces.ts';
import type { ActionResult, EndpointView, TryResult } from '../protocol.ts';

export const token = new URLSearchParams(location.search).get('token') ?? '';

async function post<T>(path: string, body: unknown): Promise<T> {
  const res = await fetch(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-mkdev-token': token },
    body: JSON.stringify(body),
  });
  const value = (await res.json()) as T & { error?: string };
  if (value.error !== undefined) return { ok: false, message: value.error } as T;
  return value;
}

export function serviceAction(service: string, action: string): Promise<ActionResult> {
  return post(`/api/services/${encodeURIComponent(service)}/${action}`, {});
}

export function tryRoute(route: string): Promise<TryResult> {
  return post('/api/routes/try', { route });
}

export async function revealSecrets(): Promise<EndpointView[]> {
  const res = await fetch('/api/secrets', { headers: { 'x-mkdev-token': token } });
  return (await res.json()) as EndpointView[];
}

export function eventStream(): EventSource {
  return new EventSource(`/api/events?token=${encodeURIComponent(token)}`);
}

/** The trace receiver's recent traces (through the dashboard's server, which reads the receiver). */
export async function listTraces(
  params: URLSearchParams,
): Promise<{ traces: TraceSummary[]; seq: number; error?: string }> {
  const res = await fetch(`/api/traces?${params}`, { headers: { 'x-mkdev-token': token } });
  return (await res.json()) as { traces: TraceSummary[]; seq: number; error?: string };
}

/** One trace, or undefined while the receiver does not have it (yet). */
export async function getTrace(traceId: string): Promise<TraceDetail | undefined> {
  const res = await fetch(`/api/traces/${traceId}`, { headers: { 'x-mkdev-token': token } });
  if (res.status === 404) return undefined;
  return (await res.json()) as TraceDetail;
}
