// Prometheus's HTTP query API, for the dashboard's charts: Kong's request rate and latency per route,
// from the Prometheus already in the stack (it scrapes Kong's prometheus plugin).
import { request } from 'undici';

export interface Series {
  readonly labels: Readonly<Record<string, string>>;
  /** [unix seconds, value] pairs. */
  readonly points: readonly (readonly [number, number])[];
}

interface RangeAnswer {
  status: string;
  error?: string;
  data?: { resultType: string; result: { metric: Record<string, string>; values: [number, string][] }[] };
}

async function queryRange(
  prometheusUrl: string,
  query: string,
  range: { start: number; end: number; stepSeconds: number },
): Promise<Series[]> {
  const params = new URLSearchParams({
    query,
    start: String(range.start),
    end: String(range.end),
    step: String(range.stepSeconds),
  });
  const res = await request(`${prometheusUrl}/api/v1/query_range?${params}`, { headersTimeout: 5000 });
  const body = (await res.body.json()) as RangeAnswer;
  if (res.statusCode !== 200 || body.status !== 'success')
    throw new Error(`Prometheus answered ${res.statusCode}: ${body.error ?? body.status}`);
  return (body.data?.result ?? []).map((r) => ({
    labels: r.metric,
    points: r.values.map(([t, v]) => [t, Number(v)] as const).filter(([, v]) => Number.isFinite(v)),
  }));
}

export interface RouteMetrics {
  readonly route: string;
  /** Requests per second through Kong. */
  readonly rate: Series['points'];
  /** 95th percentile of Kong's total request latency, ms. */
  readonly latencyP95: Series['points'];
}

/** The last `minutes` of Kong's per-route request rate and p95 latency. */
export async function kongRouteMetrics(prometheusUrl: string, minutes = 15): Promise<RouteMetrics[]> {
  const end = Math.floor(Date.now() / 1000);
  const range = { start: end - minutes * 60, end, stepSeconds: 15 };
  const [rates, latencies] = await Promise.all([
    queryRange(prometheusUrl, 'sum by (route) (rate(kong_http_requests_total[1m]))', range),
    queryRange(
      prometheusUrl,
      'histogram_quantile(0.95, sum by (route, le) (rate(kong_request_latency_ms_bucket[1m])))',
      range,
    ),
  ]);
  const routes = new Set([...rates, ...latencies].map((s) => s.labels.route ?? ''));
  return [...routes]
    .filter((r) => r !== '')
    .sort()
    .map((route) => ({
      route,
      rate: rates.find((s) => s.labels.route === route)?.points ?? [],
      latencyP95: latencies.find((s) => s.labels.route === route)?.points ?? [],
    }));
}
