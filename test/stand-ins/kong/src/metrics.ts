// Counters behind the prometheus plugin's /metrics (kong/plugins/prometheus/exporter.lua names).
import { KONG_VERSION } from './version.ts';

const BUCKETS = [1, 2, 5, 7, 10, 15, 20, 30, 50, 75, 100, 200, 500, 750, 1000, 3000, 6000, 30000, 60000];

export interface MetricFlags {
  status_code_metrics: boolean;
  latency_metrics: boolean;
  bandwidth_metrics: boolean;
  upstream_health_metrics: boolean;
  per_consumer: boolean;
}

class Histogram {
  readonly counts = new Map<string, { buckets: number[]; sum: number; count: number }>();
  observe(labels: string, v: number): void {
    let h = this.counts.get(labels);
    if (!h) {
      h = { buckets: BUCKETS.map(() => 0), sum: 0, count: 0 };
      this.counts.set(labels, h);
    }
    BUCKETS.forEach((b, i) => {
      if (v <= b && h) h.buckets[i] = (h.buckets[i] ?? 0) + 1;
    });
    h.sum += v;
    h.count += 1;
  }
  render(name: string, help: string): string[] {
    const out = [`# HELP ${name} ${help}`, `# TYPE ${name} histogram`];
    for (const [labels, h] of this.counts) {
      BUCKETS.forEach((b, i) => {
        out.push(`${name}_bucket{${labels},le="${String(b).padStart(5, '0')}.0"} ${h.buckets[i]}`);
      });
      out.push(`${name}_bucket{${labels},le="+Inf"} ${h.count}`);
      out.push(`${name}_count{${labels}} ${h.count}`);
      out.push(`${name}_sum{${labels}} ${h.sum}`);
    }
    return out;
  }
}

export interface RequestSample {
  service: string;
  route: string;
  code: number;
  source: 'service' | 'kong';
  consumer: string;
  requestMs: number;
  upstreamMs: number | null;
  kongMs: number;
  bytesIn: number;
  bytesOut: number;
}

export class Metrics {
  totalRequests = 0;
  accepted = 0;
  handled = 0;
  active = 0;
  reading = 0;
  writing = 0;
  readonly http = new Map<string, number>();
  readonly bandwidth = new Map<string, number>();
  readonly requestLatency = new Histogram();
  readonly upstreamLatency = new Histogram();
  readonly kongLatency = new Histogram();

  record(s: RequestSample): void {
    const consumer = s.consumer;
    const key = `service="${s.service}",route="${s.route}",code="${s.code}",source="${s.source}",workspace="default",consumer="${consumer}"`;
    this.http.set(key, (this.http.get(key) ?? 0) + 1);
    const lbl = `service="${s.service}",route="${s.route}",workspace="default",consumer="${consumer}"`;
    this.requestLatency.observe(lbl, s.requestMs);
    this.kongLatency.observe(lbl, s.kongMs);
    if (s.upstreamMs !== null) this.upstreamLatency.observe(lbl, s.upstreamMs);
    for (const [dir, n] of [
      ['ingress', s.bytesIn],
      ['egress', s.bytesOut],
    ] as const) {
      const k = `service="${s.service}",route="${s.route}",direction="${dir}",workspace="default",consumer="${consumer}"`;
      this.bandwidth.set(k, (this.bandwidth.get(k) ?? 0) + n);
    }
  }

  render(
    nodeId: string,
    flags: MetricFlags,
    dbReachable: boolean | null,
    targets: { upstream: string; target: string; address: string }[],
  ): string {
    const out: string[] = [];
    const counter = (name: string, help: string, type = 'counter') =>
      out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    if (flags.bandwidth_metrics) {
      counter('kong_bandwidth_bytes', 'Total bandwidth (ingress/egress) throughput in bytes');
      for (const [k, v] of this.bandwidth) out.push(`kong_bandwidth_bytes{${k}} ${v}`);
    }
    if (dbReachable !== null) {
      counter('kong_datastore_reachable', 'Datastore reachable from Kong, 0 is unreachable', 'gauge');
      out.push(`kong_datastore_reachable ${dbReachable ? 1 : 0}`);
    }
    if (flags.status_code_metrics) {
      counter('kong_http_requests_total', 'HTTP status codes per consumer/service/route in Kong');
      for (const [k, v] of this.http) out.push(`kong_http_requests_total{${k}} ${v}`);
    }
    if (flags.latency_metrics) {
      out.push(
        ...this.kongLatency.render(
          'kong_kong_latency_ms',
          'Latency added by Kong and enabled plugins for each service/route in Kong',
        ),
      );
      out.push(
        ...this.requestLatency.render(
          'kong_request_latency_ms',
          'Total latency incurred during requests for each service/route in Kong',
        ),
      );
      out.push(
        ...this.upstreamLatency.render(
          'kong_upstream_latency_ms',
          'Latency added by upstream response for each service/route in Kong',
        ),
      );
    }
    const mem = process.memoryUsage();
    counter('kong_memory_lua_shared_dict_bytes', 'Allocated slabs in bytes in a shared_dict', 'gauge');
    out.push(
      `kong_memory_lua_shared_dict_bytes{node_id="${nodeId}",shared_dict="kong",kong_subsystem="http"} 45056`,
    );
    counter('kong_memory_lua_shared_dict_total_bytes', 'Total capacity in bytes of a shared_dict', 'gauge');
    out.push(
      `kong_memory_lua_shared_dict_total_bytes{node_id="${nodeId}",shared_dict="kong",kong_subsystem="http"} 5242880`,
    );
    counter('kong_memory_workers_lua_vms_bytes', 'Allocated bytes in worker Lua VM', 'gauge');
    out.push(
      `kong_memory_workers_lua_vms_bytes{node_id="${nodeId}",pid="${process.pid}",kong_subsystem="http"} ${mem.heapUsed}`,
    );
    counter('kong_nginx_connections_total', 'Number of connections by subsystem', 'gauge');
    const states: [string, number][] = [
      ['accepted', this.accepted],
      ['active', this.active],
      ['handled', this.handled],
      ['reading', this.reading],
      ['waiting', Math.max(0, this.active - this.reading - this.writing)],
      ['writing', this.writing],
    ];
    for (const [s, v] of states)
      out.push(`kong_nginx_connections_total{node_id="${nodeId}",subsystem="http",state="${s}"} ${v}`);
    counter('kong_nginx_metric_errors_total', 'Number of nginx-lua-prometheus errors');
    out.push('kong_nginx_metric_errors_total 0');
    counter('kong_nginx_requests_total', 'Number of requests total', 'gauge');
    out.push(`kong_nginx_requests_total{node_id="${nodeId}",subsystem="http"} ${this.totalRequests}`);
    counter('kong_nginx_timers', 'Number of nginx timers', 'gauge');
    out.push(`kong_nginx_timers{state="running"} 0`, `kong_nginx_timers{state="pending"} 1`);
    counter('kong_node_info', 'Kong Node metadata information', 'gauge');
    out.push(`kong_node_info{node_id="${nodeId}",version="${KONG_VERSION}"} 1`);
    if (flags.upstream_health_metrics) {
      counter(
        'kong_upstream_target_health',
        'Health status of targets of upstream. States = healthchecks_off|healthy|unhealthy|dns_error, value is 1 when state is populated.',
        'gauge',
      );
      for (const t of targets) {
        for (const state of ['healthchecks_off', 'healthy', 'unhealthy', 'dns_error']) {
          out.push(
            `kong_upstream_target_health{upstream="${t.upstream}",target="${t.target}",address="${t.address}",state="${state}",subsystem="http"} ${state === 'healthchecks_off' ? 1 : 0}`,
          );
        }
      }
    }
    return `${out.join('\n')}\n`;
  }
}
