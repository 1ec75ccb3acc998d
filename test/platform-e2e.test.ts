// The whole platform through the CLI: two scaffolded services (TypeScript with 2 replicas, Python)
// brought up with the stack, reached through Kong, discovered through Consul (HTTP and DNS), talking
// over RabbitMQ, and deregistered when stopped.
import { Resolver } from 'node:dns/promises';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import amqp from 'amqplib';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { execIn } from '../src/engine/container-ops.ts';
import { docker, eventually, parseEnv, projectResources, removeProject, testProject } from './support/cli.ts';

const project = testProject('platform');
let env: Record<string, string> = {};
let consulDnsPort = 0;

const get = async (url: string) => {
  const res = await request(url, { headersTimeout: 10_000 });
  const text = await res.body.text();
  return { status: res.statusCode, body: text };
};
const json = async <T>(url: string) => JSON.parse((await get(url)).body) as T;

describe('scaffolded services on the stack', () => {
  beforeAll(async () => {
    for (const args of [
      ['new-service', 'orders'],
      ['new-service', 'billing', '--lang', 'python'],
    ]) {
      const made = await project.run(args, { withoutProject: true });
      if (made.exitCode !== 0) throw new Error(`mkdev ${args.join(' ')} failed:\n${made.all}`);
    }
    // Two replicas of orders, to see Kong spread the load over what Consul knows.
    const file = join(project.dir, 'mkdev.yaml');
    const doc = parseDocument(readFileSync(file, 'utf8'));
    doc.setIn(['services', 'orders', 'replicas'], 2);
    // A container that does not register itself: the registrator registers it from `register:`.
    doc.setIn(['services', 'echo'], {
      image: 'node:24-bookworm-slim',
      command: ['node', '-e', "require('http').createServer((q, s) => s.end('echo')).listen(8080)"],
      depends_on: { registrator: { condition: 'ready' } },
      register: { port: 8080 },
    });
    writeFileSync(file, doc.toString());
    const up = await project.run(['up'], { timeout: 600_000 });
    if (up.exitCode !== 0) throw new Error(`mkdev up failed:\n${up.all}`);
    env = parseEnv((await project.run(['env'])).stdout);
    const status = JSON.parse((await project.run(['status', '--json'])).stdout) as {
      services: { service: string; ports: Record<string, number> }[];
    };
    consulDnsPort = status.services.find((s) => s.service === 'consul')?.ports['8600/udp'] ?? 0;
  }, 700_000);
  afterAll(() => removeProject(project.name));

  it('a request through Kong reaches each service', async () => {
    const orders = await get(`${env.MKDEV_KONG_PROXY_URL}/orders`);
    expect(orders.status).toBe(200);
    expect(JSON.parse(orders.body)).toMatchObject({ service: 'orders' });
    const billing = await get(`${env.MKDEV_KONG_PROXY_URL}/billing`);
    expect(billing.status).toBe(200);
    expect(JSON.parse(billing.body)).toMatchObject({ service: 'billing' });
  });

  it("Consul's catalog lists both, every instance passing", async () => {
    const passing = async (name: string) =>
      (
        await json<{ Service: { Port: number } }[]>(
          `${env.MKDEV_CONSUL_URL}/v1/health/service/${name}?passing`,
        )
      ).length;
    expect(await passing('orders')).toBe(2);
    expect(await passing('billing')).toBe(1);
    const catalog = await json<Record<string, string[]>>(`${env.MKDEV_CONSUL_URL}/v1/catalog/services`);
    expect(Object.keys(catalog)).toEqual(expect.arrayContaining(['orders', 'billing']));
  });

  it('the registrator registers a container that does not register itself, and deregisters it', async () => {
    const passing = () => json<unknown[]>(`${env.MKDEV_CONSUL_URL}/v1/health/service/echo?passing`);
    const listed = await eventually(
      async () => ((await passing()).length === 1 ? await passing() : undefined),
      15_000,
      'echo to pass its TCP check',
    );
    expect(listed).toEqual([
      expect.objectContaining({
        Service: expect.objectContaining({
          Port: 8080,
          Meta: { container: expect.any(String), registered_by: 'mkdev-registrator' },
        }),
      }),
    ]);
    const echo = (await projectResources(project.name)).containers.find(
      (c) => c.Labels['dev.mkdev.service'] === 'echo',
    );
    await docker.getContainer(echo?.Id ?? '').stop({ t: 1 });
    const all = () => json<unknown[]>(`${env.MKDEV_CONSUL_URL}/v1/health/service/echo`);
    expect(
      await eventually(
        async () => ((await all()).length === 0 ? [] : undefined),
        15_000,
        'echo to leave Consul',
      ),
    ).toEqual([]);
  });

  it("Consul's DNS answers their SRV records", async () => {
    const resolver = new Resolver();
    resolver.setServers([`127.0.0.1:${consulDnsPort}`]);
    const orders = await resolver.resolveSrv('orders.service.consul');
    expect(orders.map((r) => r.port)).toEqual([8080, 8080]);
    expect(new Set(orders.map((r) => r.name)).size).toBe(2);
    expect((await resolver.resolveSrv('_billing._tcp.service.consul')).map((r) => r.port)).toEqual([8080]);
  });

  it('two replicas share the load behind Kong', async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 30 && seen.size < 2; i++) {
      seen.add(
        (JSON.parse((await get(`${env.MKDEV_KONG_PROXY_URL}/orders`)).body) as { instance: string }).instance,
      );
    }
    expect(seen.size).toBe(2);
  });

  it('a verification published with amqplib is consumed and listed', async () => {
    const connection = await amqp.connect(env.MKDEV_RABBITMQ_URL ?? '');
    const token = `t-${Date.now()}`;
    try {
      const channel = await connection.createChannel();
      await channel.assertQueue('billing-verifications', { durable: true });
      const message = {
        email: 'ana@example.com',
        template: 'userVerification',
        data: { name: 'Ana', token },
      };
      channel.sendToQueue('billing-verifications', Buffer.from(JSON.stringify(message)), {
        persistent: true,
        contentType: 'text/plain',
      });
      await channel.close();
    } finally {
      await connection.close();
    }
    const listed = await eventually(
      async () => {
        const body = await json<{ processed: { data: { token: string } }[] }>(
          `${env.MKDEV_KONG_PROXY_URL}/billing/verifications`,
        );
        return body.processed.find((p) => p.data.token === token);
      },
      20_000,
      'billing to list the verification',
    );
    expect(listed).toMatchObject({ email: 'ana@example.com', data: { name: 'Ana', token } });
  });

  it('POST /orders/verifications through Kong publishes, and a replica consumes it', async () => {
    const posted = await request(`${env.MKDEV_KONG_PROXY_URL}/orders/verifications`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'bo@example.com', name: 'Bo' }),
    });
    expect(posted.statusCode).toBe(202); // what the template promises: queued, not done
    await posted.body.dump();
    // Each replica lists what it consumed; Kong spreads GETs, so ask until one has it.
    const found = await eventually(
      async () => {
        const body = await json<{ processed: { email: string }[] }>(
          `${env.MKDEV_KONG_PROXY_URL}/orders/verifications`,
        );
        return body.processed.find((p) => p.email === 'bo@example.com');
      },
      20_000,
      'a replica of orders to list the verification',
    );
    expect(found).toMatchObject({ template: 'userVerification' });
  });

  it("the templates' RabbitMQ use relies on no feature RabbitMQ 4 deprecates", async () => {
    // After both flows ran: a transient non-exclusive queue, global QoS and the like would be listed
    // (the check exits 69 and names them); the management metrics collector is not counted as a use.
    const rabbitmq = (await projectResources(project.name)).containers.find(
      (c) => c.Labels['dev.mkdev.service'] === 'rabbitmq',
    );
    const check = await execIn(docker.getContainer(rabbitmq?.Id ?? ''), [
      'rabbitmq-diagnostics',
      '-q',
      'check_if_any_deprecated_features_are_used',
    ]);
    expect(check.exitCode, check.output).toBe(0);
  });

  it('mkdev routes --check follows each route through Kong and Consul', async () => {
    const routes = await project.run(['routes', '--check', '--json']);
    expect(routes.exitCode, routes.all).toBe(0);
    const body = JSON.parse(routes.stdout) as {
      routes: { service: string; consulService: string; instances: { status: string }[] }[];
      checks: { verdict: string }[];
    };
    const byService = Object.fromEntries(body.routes.map((r) => [r.service, r]));
    expect(byService.orders?.consulService).toBe('orders');
    expect(byService.orders?.instances.map((i) => i.status)).toEqual(['passing', 'passing']);
    expect(byService.billing?.instances.map((i) => i.status)).toEqual(['passing']);
    expect(body.checks.map((c) => c.verdict)).toEqual(['ok: reached the service', 'ok: reached the service']);
  });

  it('stopping a service deregisters it, and Kong answers 503', async () => {
    const billing = (await projectResources(project.name)).containers.find(
      (c) => c.Labels['dev.mkdev.service'] === 'billing',
    );
    await docker.getContainer(billing?.Id ?? '').stop();
    const gone = await eventually(
      async () => {
        const list = await json<unknown[]>(`${env.MKDEV_CONSUL_URL}/v1/health/service/billing`);
        return list.length === 0 ? list : undefined;
      },
      15_000,
      'billing to leave Consul',
    );
    expect(gone).toEqual([]);
    // Kong keeps Consul's last answer 5 s as stale (KONG_DNS_STALE_TTL: its retries resolve from the
    // cache only): a request within that window may still be sent to the stopped instance, and
    // fails with Kong's own error (a 502, or a 500 when its retry met Consul's NXDOMAIN: see
    // docs/kong-dns.md). Once the answer is refreshed, Kong answers 503.
    const proxied = await request(`${env.MKDEV_KONG_PROXY_URL}/billing`, {
      headers: { accept: 'application/json' },
      headersTimeout: 90_000,
    });
    const first = JSON.parse(await proxied.body.text()) as { request_id?: string };
    expect(first.request_id).toBe(proxied.headers['x-kong-request-id']);
    await eventually(
      async () => ((await get(`${env.MKDEV_KONG_PROXY_URL}/billing`)).status === 503 ? true : undefined),
      15_000,
      "Kong's 503 once its answer for billing is refreshed",
    );
    const check = await project.run(['routes', '--check']);
    expect(check.exitCode).toBe(1);
    expect(check.stdout).toContain('503 kong -> consul: no healthy instance resolved');
  });

  it('started again, it is routed by Kong within 3 s of passing its check (no 30 s "not found" cache)', async () => {
    // The 503 above made Kong cache Consul's NXDOMAIN for billing (dns_not_found_ttl: 30 s in Kong).
    const billing = (await projectResources(project.name)).containers.find(
      (c) => c.Labels['dev.mkdev.service'] === 'billing',
    );
    await docker.getContainer(billing?.Id ?? '').start();
    await eventually(
      async () => {
        const list = await json<unknown[]>(`${env.MKDEV_CONSUL_URL}/v1/health/service/billing?passing`);
        return list.length === 1 ? list : undefined;
      },
      60_000,
      'billing to pass its check in Consul again',
    );
    // Fails (throws) unless a request through Kong reaches billing within 3 s.
    const body = await eventually(
      async () => {
        const res = await get(`${env.MKDEV_KONG_PROXY_URL}/billing`);
        return res.status === 200 ? res.body : undefined;
      },
      3_000,
      'Kong to route to billing again',
    );
    expect(JSON.parse(body)).toMatchObject({ service: 'billing' });
  });

  it('down then up: the services deregistered themselves, so Consul lists no stale instance', async () => {
    const before = await json<{ Service: { ID: string } }[]>(
      `${env.MKDEV_CONSUL_URL}/v1/health/service/orders`,
    );
    expect(before).toHaveLength(2);
    const down = await project.run(['down']);
    expect(down.exitCode, down.all).toBe(0);
    const up = await project.run(['up'], { timeout: 600_000 });
    expect(up.exitCode, up.all).toBe(0);
    env = parseEnv((await project.run(['env'])).stdout);
    // Consul keeps its catalog on its volume; new containers mean new instance IDs.
    const after = await json<{ Service: { ID: string } }[]>(
      `${env.MKDEV_CONSUL_URL}/v1/health/service/orders?passing`,
    );
    const all = await json<{ Service: { ID: string } }[]>(`${env.MKDEV_CONSUL_URL}/v1/health/service/orders`);
    expect(after).toHaveLength(2);
    expect(all.map((e) => e.Service.ID).sort()).toEqual(after.map((e) => e.Service.ID).sort());
    expect(all.map((e) => e.Service.ID)).not.toContain(before[0]?.Service.ID);
  }, 700_000);
});
