// Traces end to end with a scaffolded Go service, on the offline image set: a POST through Kong that the
// service publishes to RabbitMQ and its own consumer takes is ONE trace (Kong's spans, the service's
// request, the publish, the consume, each under the right parent), with the span names, kinds and
// attributes the TypeScript template's OpenTelemetry instrumentations give (so the languages' traces look
// the same); `mkdev traces --route /billing` prints it; its log lines carry the trace id; and with the
// receiver stopped, requests are still answered and the service says it dropped its spans.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TraceDetail, TraceSpan, TraceSummary } from '../src/platform/traces.ts';
import { docker, eventually, parseEnv, removeProject, testProject } from './support/cli.ts';

const project = testProject('go-traces');
let env: Record<string, string> = {};
const WAIT = 60_000;
// A cold Go build compiles the standard library packages the service uses: minutes on a loaded machine.
const BUILD_MS = 1_200_000;

async function receiver<T>(path: string): Promise<{ status: number; body: T }> {
  const res = await fetch(`${env.MKDEV_TRACES_URL}${path}`);
  return { status: res.status, body: (await res.json()) as T };
}

const one = (spans: readonly TraceSpan[], name: string, service: string) => {
  const found = spans.filter((s) => s.name === name && s.service === service);
  expect(found, `${service} ${name}`).toHaveLength(1);
  return found[0] as TraceSpan;
};

async function container(service: string) {
  const list = await docker.listContainers({
    all: true,
    filters: { label: [`dev.mkdev.project=${project.name}`, `dev.mkdev.service=${service}`] },
  });
  return docker.getContainer(list[0]?.Id ?? '');
}

/** The service's log lines (one JSON object each) written since `sinceSeconds` (0: all). */
async function billingLogs(sinceSeconds = 0): Promise<Record<string, unknown>[]> {
  const raw = (
    await (await container('billing')).logs({ stdout: true, stderr: true, since: sinceSeconds })
  ).toString('utf8');
  return raw
    .split('\n')
    .map((l) => l.slice(l.indexOf('{')))
    .filter((l) => l.startsWith('{'))
    .flatMap((l) => {
      try {
        return [JSON.parse(l) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
}

const post = (email: string) =>
  fetch(`${env.MKDEV_KONG_PROXY_URL}/billing/verifications`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, name: 'Trace' }),
  });

let postTrace = '';

describe('traces through a Go service', () => {
  beforeAll(async () => {
    const made = await project.run(['new-service', 'billing', '--lang', 'go'], { withoutProject: true });
    if (made.exitCode !== 0) throw new Error(`new-service failed:\n${made.all}`);
    const up = await project.run(['up'], { timeout: BUILD_MS });
    if (up.exitCode !== 0) throw new Error(`mkdev up failed:\n${up.all}`);
    env = parseEnv((await project.run(['env'])).stdout);
  }, BUILD_MS + 120_000);

  afterAll(async () => {
    await removeProject(project.name);
  });

  it('a POST through Kong, published and consumed, is one trace with every hop under its parent', async () => {
    const email = `trace-${Date.now()}@example.com`;
    const posted = await post(email);
    expect(posted.status).toBe(202);
    const summary = await eventually(
      async () => {
        const { body } = await receiver<{ traces: TraceSummary[] }>(
          '/api/traces?route=/billing&service=billing',
        );
        return body.traces.find((t) => t.method === 'POST' && t.spanCount >= 9);
      },
      WAIT,
      'the POST trace',
    );
    postTrace = summary.traceId;
    expect(summary).toMatchObject({
      route: '/billing',
      status: 202,
      services: ['kong', 'billing'],
      error: false,
    });
    const { spans } = (await receiver<TraceDetail>(`/api/traces/${postTrace}`)).body;
    expect(new Set(spans.map((s) => s.traceId))).toEqual(new Set([postTrace]));
    const root = one(spans, 'kong', 'kong');
    expect(root).toMatchObject({ kind: 2, parentSpanId: '' });
    const balancer = one(spans, 'kong.balancer', 'kong');
    expect(balancer.parentSpanId).toBe(root.spanId);

    // The service's request continues the traceparent Kong sent: its parent is the balancer's span.
    const server = one(spans, 'POST', 'billing');
    expect(server).toMatchObject({ kind: 2, parentSpanId: balancer.spanId, status: { code: 0 } });
    // The attributes OpenTelemetry's HTTP instrumentation for Node sets (the TypeScript template's).
    expect(server.attributes).toMatchObject({
      'http.request.method': 'POST',
      'http.response.status_code': 202,
      'url.scheme': 'http',
      'url.path': '/verifications',
      'network.protocol.version': '1.1',
    });
    for (const key of ['server.address', 'server.port', 'client.address', 'network.peer.address'])
      expect(server.attributes, key).toHaveProperty([key]);

    const publish = one(spans, 'publish <default>', 'billing');
    expect(publish).toMatchObject({ kind: 4, parentSpanId: server.spanId });
    // The consumer's span is in the same trace through the message's headers.
    const consume = one(spans, 'billing-verifications process', 'billing');
    expect(consume).toMatchObject({ kind: 5, parentSpanId: publish.spanId, status: { code: 0 } });
    // The attributes OpenTelemetry's amqplib instrumentation sets; the password is not among them.
    for (const span of [publish, consume]) {
      expect(span.attributes).toMatchObject({
        'messaging.system': 'rabbitmq',
        'messaging.protocol': 'AMQP',
        'messaging.protocol_version': '0.9.1',
        'messaging.destination': '',
        'messaging.destination_kind': 'topic',
        'messaging.rabbitmq.routing_key': 'billing-verifications',
        'server.address': 'rabbitmq',
        'server.port': 5672,
      });
      expect(String(span.attributes['messaging.url'])).toMatch(/^amqp:\/\/mkdev:\*\*\*@rabbitmq:5672$/);
    }
    expect(consume.attributes['messaging.operation']).toBe('process');
    // Health probes are not traced: Consul's check every 2 s, and mkdev up's waits through Kong.
    const { body: all } = await receiver<{ traces: TraceSummary[] }>('/api/traces?service=billing&limit=200');
    for (const t of all.traces) {
      const detail = (await receiver<TraceDetail>(`/api/traces/${t.traceId}`)).body;
      for (const s of detail.spans.filter((x) => x.service === 'billing'))
        expect(String(s.attributes['url.path'] ?? '')).not.toMatch(/healthz|readyz/);
    }

    // The service's log lines of that request and of its delivery carry its trace id.
    const logs = await billingLogs();
    expect(logs.find((l) => l.msg === 'queueing verification' && l.email === email)).toMatchObject({
      trace_id: postTrace,
    });
    expect(logs.find((l) => l.msg === 'processed verification' && l.email === email)).toMatchObject({
      trace_id: postTrace,
    });
    expect(
      logs.find((l) => String(l.msg).startsWith('tracing to http://traces:4318/v1/traces')),
    ).toBeDefined();
  });

  it('mkdev traces --route /billing prints it as a tree', async () => {
    const printed = await project.run(['traces', '--route', '/billing', '--limit', '50']);
    expect(printed.exitCode, printed.all).toBe(0);
    const block = printed.stdout.split('\n\n').find((b) => b.includes(`trace ${postTrace}`)) ?? '';
    expect(block).toMatch(/POST \/billing {2}202 {2}[\d.]+ ms {2}kong -> billing/);
    expect(block).toMatch(/[└├]─ kong kong.balancer/);
    expect(block).toMatch(
      /└─ billing POST .*\n.*└─ billing publish <default> .*\n.*└─ billing billing-verifications process/,
    );
  });

  it('with the receiver stopped, requests are answered and the service says it dropped its spans', async () => {
    const traces = await container('traces');
    await traces.stop();
    try {
      const since = Math.floor(Date.now() / 1000) - 1;
      // The exporter says so at most once a minute: keep sending until it has.
      const said = await eventually(
        async () => {
          const answer = await post(`down-${Date.now()}@example.com`);
          expect(answer.status).toBe(202);
          return (await billingLogs(since)).find((l) => l.msg === 'tracing: dropped spans');
        },
        90_000,
        'the service to say it dropped spans',
      );
      expect(said).toMatchObject({ level: 'WARN', endpoint: 'http://traces:4318/v1/traces' });
      expect(Number(said.count)).toBeGreaterThan(0);
    } finally {
      await traces.start();
    }
  });
});
