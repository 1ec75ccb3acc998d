// A Go service through the CLI, as a user gets it, on the offline image set: `mkdev new-service billing
// --lang go && mkdev up` serves GET /billing through Kong, Consul lists it passing, the verification flow
// round-trips over RabbitMQ; its logs are structured; `routes --check`, the dashboard (route map, try it,
// rebuild) and `export compose` know it; `mkdev watch` rebuilds it on a .go edit (a broken edit keeps the
// old container serving); `mkdev run billing -- go run .` swaps it for a host process behind Kong (Go
// copied out of the offline image: the host has none) and a stop signal reaches the program under
// `go run`; `down` deregisters it before Consul stops. Conditions, never sleeps for timing.
import type { ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import amqp from 'amqplib';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  eventually,
  FREE_PORTS,
  newService,
  OFFLINE_IMAGE_MAP,
  offlineImage,
  parseEnv,
  removeProject,
  servedThroughKong as servedThroughKongBy,
  testProject,
} from './support/cli.ts';
import { type GoToolchain, goToolchain } from './support/go-toolchain.ts';
import { spawnMkdev as spawnMkdevProcess } from './support/mkdev-process.ts';

const project = testProject('gosvc');
const ENV = { MKDEV_IMAGES: OFFLINE_IMAGE_MAP, NO_COLOR: '1', ...FREE_PORTS };
// A cold Go build compiles the standard library packages the service uses: minutes on a loaded machine.
const BUILD_MS = 1_200_000;
const ROUTING_MS = 120_000;
const service = join(project.dir, 'services', 'billing');
let env: Record<string, string> = {};
let go: GoToolchain;
const spawned: ChildProcess[] = [];

/** A long-running mkdev process of this test's project. */
function spawnMkdev(args: readonly string[], cwd: string, extraEnv: Record<string, string> = {}) {
  const mkdev = spawnMkdevProcess(project, args, { cwd, env: { ...ENV, ...extraEnv } });
  spawned.push(mkdev.child);
  return mkdev;
}

const get = async (path: string) => {
  const res = await fetch(`${env.MKDEV_KONG_PROXY_URL}${path}`, { signal: AbortSignal.timeout(5000) });
  return { status: res.status, text: await res.text() };
};
// biome-ignore lint/suspicious/noExplicitAny: JSON bodies in assertions
const consul = async (path: string): Promise<any> => (await fetch(`${env.MKDEV_CONSUL_URL}${path}`)).json();
const servedThroughKong = (path: string, text: string, timeoutMs = ROUTING_MS) =>
  servedThroughKongBy(get, path, text, timeoutMs);
const edit = (file: string, from: string, to: string) => {
  const text = readFileSync(join(service, file), 'utf8');
  if (!text.includes(from)) throw new Error(`${file}: no '${from}' to replace`);
  writeFileSync(join(service, file), text.replace(from, to));
};

describe('a Go service through the CLI', () => {
  beforeAll(async () => {
    const made = await newService(['billing', '--lang', 'go'], project.dir);
    if (made.exitCode !== 0) throw new Error(made.all);
    const up = await project.run(['up'], { timeout: BUILD_MS });
    if (up.exitCode !== 0) throw new Error(`mkdev up failed:\n${up.all}`);
    env = parseEnv((await project.run(['env'])).stdout);
    go = await goToolchain();
  }, BUILD_MS + 120_000);

  afterAll(async () => {
    for (const child of spawned) child.kill('SIGINT');
    await Promise.race([
      Promise.all(
        spawned.map((c) => (c.exitCode !== null ? undefined : new Promise((r) => c.once('exit', r)))),
      ),
      new Promise((r) => setTimeout(r, 30_000)),
    ]);
    for (const child of spawned) child.kill('SIGKILL');
    await removeProject(project.name);
  });

  it('serves GET /billing through Kong, and Consul lists it passing', async () => {
    const res = await get('/billing');
    expect(res.status, res.text).toBe(200);
    expect(JSON.parse(res.text)).toMatchObject({ service: 'billing', message: 'hello from billing' });
    const passing = await consul('/v1/health/service/billing?passing');
    expect(passing).toHaveLength(1);
    expect(passing[0].Checks.find((c: { ServiceID: string }) => c.ServiceID !== '')).toMatchObject({
      Type: 'http',
      Status: 'passing',
    });
    const kongService = await (await fetch(`${env.MKDEV_KONG_ADMIN_URL}/services/billing`)).json();
    expect(kongService).toMatchObject({ host: 'billing.service.consul', port: 8080 });
  });

  it('round-trips the verification flow over RabbitMQ: published, consumed with a manual ack', async () => {
    const posted = await fetch(`${env.MKDEV_KONG_PROXY_URL}/billing/verifications`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'ana@example.com', name: 'Ana' }),
    });
    expect(posted.status).toBe(202);
    const { token, queue } = (await posted.json()) as { token: string; queue: string };
    expect(queue).toBe('billing-verifications');
    // One from another publisher (amqplib), as the original platform's registration service sent them.
    const connection = await amqp.connect(env.MKDEV_RABBITMQ_URL ?? '');
    try {
      const channel = await connection.createChannel();
      channel.sendToQueue(queue, Buffer.from('not a verification'), { persistent: true });
      channel.sendToQueue(
        queue,
        Buffer.from(
          JSON.stringify({
            email: 'bo@example.com',
            template: 'userVerification',
            data: { name: 'Bo', token: 't-bo' },
          }),
        ),
        { persistent: true },
      );
      await channel.close();
    } finally {
      await connection.close();
    }
    const listed = await eventually(
      async () => {
        const body = JSON.parse((await get('/billing/verifications')).text) as {
          processed: { email: string; data: { token: string } }[];
        };
        const tokens = body.processed.map((p) => p.data.token);
        return tokens.includes(token) && tokens.includes('t-bo') ? body.processed : undefined;
      },
      30_000,
      'billing to list both verifications',
    );
    expect(listed.map((p) => p.email).sort()).toEqual(['ana@example.com', 'bo@example.com']);
    // Acked (and the malformed one dropped): nothing left in the durable queue, one consumer on it.
    const { username, password, host } = new URL(env.MKDEV_RABBITMQ_URL ?? '');
    const management = new URL(env.MKDEV_RABBITMQ_MANAGEMENT_URL ?? '');
    const auth = `Basic ${Buffer.from(`${decodeURIComponent(username)}:${decodeURIComponent(password)}`).toString('base64')}`;
    expect(host).not.toBe('');
    // The management API's figures come from statistics the broker emits every few seconds, the queue's
    // message count and its consumers in separate events: a fresh queue has neither at first, and under
    // load one can arrive before the other. So both are waited for, and the last answer is shown.
    let seen = {};
    await eventually(
      async () => {
        const res = await fetch(`${management.origin}/api/queues/%2F/${queue}`, {
          headers: { authorization: auth },
        });
        const q = (await res.json()) as { durable: boolean; consumers?: number; messages?: number };
        seen = { durable: q.durable, consumers: q.consumers, messages: q.messages };
        return q.messages === 0 && q.consumers === 1 ? q : undefined;
      },
      30_000,
      'the queue to be empty, with one consumer',
    ).catch((error: Error) => {
      throw new Error(`${error.message}; last seen ${JSON.stringify(seen)}`);
    });
    expect(seen).toEqual({ durable: true, consumers: 1, messages: 0 });
  });

  it('logs one JSON object per line, with the "level" the dashboard filters on', async () => {
    const logs = await project.run(['logs', 'billing', '--tail', 'all']);
    expect(logs.exitCode, logs.all).toBe(0);
    const entries = logs.stdout
      .split('\n')
      .map((l) => l.slice(l.indexOf('{')))
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const messages = entries.map((e) => e.msg);
    expect(messages).toEqual(
      expect.arrayContaining([
        'listening',
        'connected to RabbitMQ; consuming',
        'registered on Consul',
        'registered on Kong',
      ]),
    );
    expect(entries.find((e) => e.msg === 'registered on Kong')).toMatchObject({
      level: 'INFO',
      service: 'billing',
      route: '/billing',
      upstream: 'billing.service.consul:8080',
    });
    expect(entries.find((e) => e.msg === 'dropping a malformed message')).toMatchObject({ level: 'WARN' });
  });

  it('routes --check follows /billing through Kong and Consul to its passing instance', async () => {
    const routes = await project.run(['routes', '--check', '--json']);
    expect(routes.exitCode, routes.all).toBe(0);
    const body = JSON.parse(routes.stdout) as {
      routes: { service: string; consulService: string; instances: { status: string }[] }[];
      checks: { verdict: string }[];
    };
    const billing = body.routes.find((r) => r.service === 'billing');
    expect(billing).toMatchObject({ consulService: 'billing', instances: [{ status: 'passing' }] });
    expect(body.checks.map((c) => c.verdict)).toEqual(['ok: reached the service']);
  });

  it('exports to Compose with both image args, a file docker-compose 1.29 reads', async () => {
    const exported = await project.run(['export', 'compose', '-o', 'compose.yaml']);
    expect(exported.exitCode, exported.all).toBe(0);
    const file = parse(readFileSync(join(project.dir, 'compose.yaml'), 'utf8')) as {
      services: Record<
        string,
        { build?: { context: string; args?: Record<string, string> }; healthcheck?: unknown }
      >;
    };
    expect(file.services.billing?.build).toMatchObject({
      args: {
        BUILD_IMAGE: await offlineImage('golang:1.27-trixie'),
        BASE_IMAGE: await offlineImage('debian:trixie-slim'),
      },
    });
    expect(file.services.billing?.healthcheck).toBeDefined();
    const config = await execa('docker-compose', ['-f', join(project.dir, 'compose.yaml'), 'config', '-q'], {
      reject: false,
      all: true,
    });
    expect(config.exitCode, config.all).toBe(0);
  });

  it(
    'the dashboard maps the route to its passing instance, tries it, and rebuilds the service',
    async () => {
      const ui = spawnMkdev(['ui', '--port', '0', '--no-open'], project.dir);
      try {
        const url = new URL(
          await eventually(
            async () => /at (http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/.exec(ui.lines.join('\n'))?.[1],
            60_000,
            `mkdev ui to print its URL (${ui.output()})`,
          ),
        );
        const token = url.searchParams.get('token') ?? '';
        const api = (path: string, body?: unknown) =>
          fetch(new URL(path, url.origin), {
            method: body === undefined ? 'GET' : 'POST',
            headers: { 'x-mkdev-token': token, 'content-type': 'application/json' },
            ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          });
        const hop = await eventually(
          async () => {
            const state = (await (await api('/api/state')).json()) as {
              routes?: { data?: { route: string; consulService: string; instances: { status: string }[] }[] };
            };
            return state.routes?.data?.find((r) => r.consulService === 'billing');
          },
          60_000,
          'the route map to show billing',
        );
        expect(hop.instances.map((i) => i.status)).toEqual(['passing']);
        const tried = (await (await api('/api/routes/try', { route: hop.route })).json()) as { ok: boolean };
        expect(tried.ok).toBe(true);
        const rebuilt = await api('/api/services/billing/rebuild', {});
        const result = (await rebuilt.json()) as { ok: boolean; message: string };
        expect(rebuilt.status, result.message).toBe(200);
        expect(result.ok).toBe(true);
        await servedThroughKong('/billing', 'hello from billing');
      } finally {
        ui.child.kill('SIGINT');
        await ui.closed;
      }
    },
    BUILD_MS,
  );

  it(
    'mkdev watch rebuilds on a .go edit and Kong serves it; a broken edit keeps the old container serving',
    async () => {
      const watch = spawnMkdev(['watch', '--json'], project.dir);
      type Change = {
        type: string;
        service: string;
        action: string;
        ok: boolean;
        files: string[];
        error?: string;
        log?: string;
      };
      const changes = () => watch.json().filter((j) => j.type === 'change') as unknown as Change[];
      const nextChange = (seen: number) =>
        eventually(
          async () => changes()[seen],
          BUILD_MS,
          `a change line (output so far:\n${watch.output()})`,
        );
      try {
        await eventually(
          async () => (watch.json().some((j) => j.type === 'watching') ? true : undefined),
          120_000,
          `watch to start (${watch.output()})`,
        );
        edit('http_server.go', '"hello from "', '"edited-go from "');
        expect(await nextChange(0)).toMatchObject({ ok: true, action: 'rebuild', files: ['http_server.go'] });
        await servedThroughKong('/billing', 'edited-go from billing');

        const config = readFileSync(join(service, 'config.go'), 'utf8');
        try {
          writeFileSync(join(service, 'config.go'), `${config}\nthis is not Go {{{\n`);
          const broken = await nextChange(1);
          expect(broken).toMatchObject({ ok: false, action: 'rebuild', files: ['config.go'] });
          expect(broken.error).toMatch(/^building billing failed: /);
          // The compiler's own words, where the build stopped.
          expect(broken.log).toMatch(/config\.go:\d+:\d+: syntax error/);
          // A failed build keeps the old container serving.
          expect((await get('/billing')).text).toContain('edited-go from billing');
        } finally {
          writeFileSync(join(service, 'config.go'), config);
        }
        expect(await nextChange(2)).toMatchObject({ ok: true, action: 'rebuild', files: ['config.go'] });
        await servedThroughKong('/billing', 'edited-go from billing');
      } finally {
        watch.child.kill('SIGINT');
        expect(await watch.closed, watch.output()).toBe(0);
      }
    },
    3 * BUILD_MS,
  );

  it(
    'mkdev run billing -- go run .: Kong routes to the host process; a stop signal reaches the program under go run',
    async () => {
      const run = spawnMkdev(['run', 'billing', '--', 'go', 'run', '.'], service, go.env);
      const hostInstance = `billing-${hostname()}`;
      // Fails at once if mkdev run ends (a command that does not build), not when the wait runs out.
      await Promise.race([
        eventually(
          async () => ((await get('/billing')).text.includes(hostInstance) ? true : undefined),
          BUILD_MS,
          `Kong to route /billing to ${hostInstance} (mkdev run's output:\n${run.output()})`,
        ),
        run.exited.then((code) => {
          throw new Error(`mkdev run ended with ${code} before Kong routed to it:\n${run.output()}`);
        }),
      ]);
      // The swap is done once mkdev says so: until then the containers still consume from the same
      // queue (they leave once Kong no longer sends them requests), and one of them could take the message.
      await eventually(
        async () => (run.output().includes('billing on the host is ready') ? true : undefined),
        ROUTING_MS,
        'mkdev run to say the host process is ready',
      );
      const post = await fetch(`${env.MKDEV_KONG_PROXY_URL}/billing/verifications`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'host@example.com', name: 'Host' }),
      });
      expect(post.status).toBe(202);
      await eventually(
        async () =>
          (await get('/billing/verifications')).text.includes('host@example.com') ? true : undefined,
        60_000,
        'the host process to consume its verification from RabbitMQ',
      ).catch((error: Error) => {
        throw new Error(`${error.message}\nmkdev run's output:\n${run.output()}`);
      });
      // The program go run built and started: /tmp/go-build.../exe/billing.
      const programs = () =>
        readdirSync('/proc')
          .filter((p) => /^\d+$/.test(p))
          .filter((p) => {
            try {
              return /\/go-build[^/]*\/.*\/exe\/billing\0/.test(readFileSync(`/proc/${p}/cmdline`, 'utf8'));
            } catch {
              return false;
            }
          });
      expect(programs()).toHaveLength(1);
      // As an IDE's stop button does: SIGTERM to mkdev alone. go run dies of it without passing it on;
      // mkdev sends it to the process group, so the program deregisters and exits too.
      run.child.kill('SIGTERM');
      await run.closed;
      expect(run.output()).toContain('deregistered from Consul');
      expect(run.output()).toContain('containers ready again');
      expect(
        await eventually(
          async () => (programs().length === 0 ? [] : undefined),
          15_000,
          'the program to exit',
        ),
      ).toEqual([]);
      await eventually(
        async () => {
          const res = await get('/billing');
          return res.status === 200 && !res.text.includes(hostInstance) ? true : undefined;
        },
        ROUTING_MS,
        'Kong to route /billing to the container again',
      );
      const instances = await eventually(
        async () => {
          const listed = (await consul('/v1/catalog/service/billing')) as { ServiceID: string }[];
          return listed.length === 1 ? listed : undefined;
        },
        30_000,
        "Consul's catalog to list the container alone",
      );
      expect(instances[0]?.ServiceID).not.toBe(hostInstance);
    },
    BUILD_MS + 300_000,
  );

  it('down deregisters it before Consul stops: Consul, started again, lists no billing', async () => {
    const down = await project.run(['down']);
    expect(down.exitCode, down.all).toBe(0);
    const up = await project.run(['up', 'consul']);
    expect(up.exitCode, up.all).toBe(0);
    env = parseEnv((await project.run(['env'])).stdout);
    // Consul keeps its catalog on its volume: an instance that had not deregistered would be back.
    expect(await consul('/v1/catalog/service/billing')).toEqual([]);
    expect(
      Object.values(await consul('/v1/agent/services')).map((s) => (s as { Service: string }).Service),
    ).not.toContain('billing');
  });
});
