// `mkdev watch` on a scaffolded TypeScript (and Python) service restarts its process inside the container (the
// template's supervisor, told by SIGHUP) instead of the container: the container is not restarted (same
// id, same StartedAt), the instance never leaves Consul's passing list (polled across the edit), and a
// burst of requests through Kong across the edit gets no failure (no "name resolution failed", 502 or
// 503). A normal stop still deregisters: `docker stop` of the container takes it off Consul.
import { readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  docker,
  eventually,
  FREE_PORTS,
  newService,
  OFFLINE_IMAGE_MAP,
  parseEnv,
  removeProject,
  servedThroughKong,
  testProject,
} from './support/cli.ts';
import { serviceContainerState } from './support/crash.ts';
import { type MkdevProcess, spawnMkdev } from './support/mkdev-process.ts';

const project = testProject('edit-fast');
const ENV = { MKDEV_IMAGES: OFFLINE_IMAGE_MAP, NO_COLOR: '1', ...FREE_PORTS };
const ROUTING_MS = 120_000;
const TEMPLATES = [
  {
    service: 'orders',
    args: ['orders'],
    file: 'src/http-server.ts',
    from: 'hello from ${config.serviceName}',
  },
  {
    service: 'billing',
    args: ['billing', '--lang', 'python'],
    file: 'app.py',
    from: 'hello from {config.service_name}',
  },
] as const;
let watch: MkdevProcess;
let proxy = '';
let consul = '';

const get = async (path: string) => {
  const res = await fetch(`${proxy}${path}`, { signal: AbortSignal.timeout(5000) });
  return { status: res.status, text: await res.text() };
};

const serviceContainer = (service: string) => serviceContainerState(project.name, service);

/** The container's log so far (stdout and stderr, as text). */
async function containerLog(id: string): Promise<string> {
  const raw = (await docker.getContainer(id).logs({ stdout: true, stderr: true })) as unknown as Buffer;
  return raw.toString('utf8');
}

/** The pid of the standby that started after the last handover, once it is warm. */
async function warmStandby(id: string): Promise<number> {
  const pid = await eventually(
    async () =>
      /standby (\d+) is warm/.exec(
        (await containerLog(id)).split(/ serves; child \d+ leaves/).at(-1) ?? '',
      )?.[1],
    120_000,
    'a warm standby',
  );
  return Number(pid);
}

/** Connections the container's processes hold to RabbitMQ (port 5672), open or opening, from its /proc. */
function amqpConnections(pid: number): number {
  const open = new Set(['01', '02']); // ESTABLISHED, SYN_SENT
  return ['tcp', 'tcp6']
    .flatMap((f) => readFileSync(`/proc/${pid}/net/${f}`, 'utf8').split('\n').slice(1))
    .map((line) => line.trim().split(/\s+/))
    .filter((cols) => cols[2]?.endsWith(':1628') && open.has(cols[3] ?? '')).length;
}

/** GET /healthz on a connection of its own (as Consul's check: no keep-alive), its status or 0 if none. */
function healthzOnNewConnection(host: string, port: number): Promise<number> {
  return new Promise((resolve) => {
    const req = httpGet({ host, port, path: '/healthz', agent: false, timeout: 5000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
  });
}

/** The ids of a service's instances that Consul's health endpoint lists as passing (what its DNS answers). */
async function passing(service: string): Promise<string[]> {
  const res = await fetch(`${consul}/v1/health/service/${service}?passing`, {
    signal: AbortSignal.timeout(5000),
  });
  return ((await res.json()) as { Service: { ID: string } }[]).map((e) => e.Service.ID);
}

/** Runs `sample` in two loops back to back until stop(): every result, with when it came (ms since epoch). */
function sampling<T>(sample: () => Promise<T>) {
  const results: { at: number; value: T | string }[] = [];
  let running = true;
  const loop = async () => {
    while (running) {
      const value = await sample().catch((error: Error) => `error: ${error.message}`);
      results.push({ at: Date.now(), value });
    }
  };
  const loops = [loop(), loop()];
  return {
    stop: async () => {
      running = false;
      await Promise.all(loops);
      return results;
    },
  };
}

describe('mkdev watch restarts a scaffolded TS or Python service in place, keeping its registration', () => {
  beforeAll(async () => {
    for (const t of TEMPLATES) {
      const created = await newService(t.args, project.dir);
      if (created.exitCode !== 0) throw new Error(created.all);
    }
    watch = spawnMkdev(project, ['watch', '--json'], { cwd: project.dir, env: ENV });
    // On failure its output is in the error; afterAll stops it.
    await watch.waitForJson(
      'watch to bring the stack up and start watching',
      (j) => j.type === 'watching',
      600_000,
    );
    const env = parseEnv((await project.run(['env'])).stdout);
    proxy = env.MKDEV_KONG_PROXY_URL as string;
    consul = env.MKDEV_CONSUL_URL as string;
    for (const t of TEMPLATES)
      await servedThroughKong(get, `/${t.service}`, `hello from ${t.service}`, ROUTING_MS);
  }, 660_000);

  afterAll(async () => {
    watch?.child.kill('SIGINT');
    await watch?.closed;
    await removeProject(project.name);
  }, 120_000);

  it.each(TEMPLATES)(
    '$service: an edit is served by a new process in the same container; Consul and Kong never lose the instance',
    async (t) => {
      const before = await serviceContainer(t.service);
      const instances = await passing(t.service);
      expect(instances).toHaveLength(1);
      const requests = sampling(() => get(`/${t.service}`));
      const consulSeen = sampling(() => passing(t.service));
      const source = join(project.dir, 'services', t.service, t.file);
      const text = readFileSync(source, 'utf8');
      const edited = text.replace(t.from, t.from.replace('hello', 'in-place'));
      expect(edited).not.toBe(text);
      const written = Date.now();
      writeFileSync(source, edited);
      const change = await eventually(
        async () => watch.json().find((j) => j.type === 'change' && j.service === t.service),
        180_000,
        `a change line for ${t.service}`,
      );
      expect(change, JSON.stringify(change)).toMatchObject({
        ok: true,
        action: 'sync+restart',
        restarted: 'process',
      });
      // Watch says ready only once the new process answers: Kong serves the edit from the first request on.
      expect((await get(`/${t.service}`)).text).toContain(`in-place from ${t.service}`);
      const [answers, seen] = await Promise.all([requests.stop(), consulSeen.stop()]);

      const after = await serviceContainer(t.service);
      expect(after.id).toBe(before.id);
      expect(after.startedAt).toBe(before.startedAt);
      // Failures say when they came, in ms after the write, and watch's change line says when it restarted.
      const when = <T>(r: { at: number; value: T }) => ({ ms: r.at - written, value: r.value });
      const missing = seen.filter(
        ({ value }) => typeof value === 'string' || value.join() !== instances.join(),
      );
      expect(missing.map(when), JSON.stringify(change)).toEqual([]);
      expect(seen.length).toBeGreaterThan(5);
      const failed = answers.filter(({ value }) => typeof value === 'string' || value.status !== 200);
      expect(failed.slice(0, 5).map(when), `${failed.length} failed; ${JSON.stringify(change)}`).toEqual([]);
      expect(
        answers.some(
          ({ value }) => typeof value !== 'string' && value.text.includes(`in-place from ${t.service}`),
        ),
      ).toBe(true);
    },
    300_000,
  );

  it.each(TEMPLATES)(
    '$service: the next edit is served by the warm standby, which ran none of the service before it',
    async (t) => {
      const { id } = await serviceContainer(t.service);
      // The standby started once the previous edit's old process left; it says when it is warm.
      const standby = await warmStandby(id);
      const changes = () => watch.json().filter((j) => j.type === 'change' && j.service === t.service);
      const seen = changes().length;
      const source = join(project.dir, 'services', t.service, t.file);
      const text = readFileSync(source, 'utf8');
      writeFileSync(source, text.replace(`in-place from`, `standby from`));
      const change = await eventually(async () => changes()[seen], 180_000, `the change line`);
      expect(change, JSON.stringify(change)).toMatchObject({ ok: true, restarted: 'process' });
      expect((await get(`/${t.service}`)).text).toContain(`standby from ${t.service}`);
      const log = await containerLog(id);
      expect(log).toContain(`child ${standby} starts from the warm standby`);
      expect(log).toMatch(new RegExp(`child ${standby} serves; child \\d+ leaves`));
    },
    300_000,
  );

  it.each(TEMPLATES)(
    '$service: the process that replaces another accepts no connection until it can serve (no 503 to a new connection)',
    async (t) => {
      // Consul's HTTP check opens a new connection each time: one accepted by the new process before it is
      // connected to RabbitMQ would get a 503, and the instance would leave Consul's passing list. RabbitMQ
      // paused holds the new process there for as long as the probes take.
      const { id } = await serviceContainer(t.service);
      await warmStandby(id);
      const info = await docker.getContainer(id).inspect();
      const ip = Object.values(info.NetworkSettings.Networks)[0]?.IPAddress ?? '';
      const port = Number(info.Config.Env.find((e) => e.startsWith('PORT='))?.slice('PORT='.length));
      const rabbitmq = docker.getContainer((await serviceContainerState(project.name, 'rabbitmq')).id);
      const from = (await containerLog(id)).length;
      const before = amqpConnections(info.State.Pid);
      await rabbitmq.pause();
      try {
        await docker.getContainer(id).kill({ signal: 'SIGHUP' });
        await eventually(
          async () => amqpConnections(info.State.Pid) > before || undefined,
          60_000,
          'the new process to open its connection to RabbitMQ',
        );
        const statuses: number[] = [];
        for (let i = 0; i < 30; i++) statuses.push(await healthzOnNewConnection(ip, port));
        expect(statuses.filter((s) => s !== 200)).toEqual([]);
      } finally {
        await rabbitmq.unpause();
      }
      await eventually(
        async () => / serves; child \d+ leaves/.test((await containerLog(id)).slice(from)) || undefined,
        60_000,
        'the handover once RabbitMQ is back',
      );
      expect((await get(`/${t.service}`)).status).toBe(200);
    },
    300_000,
  );

  it('orders: an edit of src/tracing.ts, which the standby loaded, is served by a cold process with it', async () => {
    const { id } = await serviceContainer('orders');
    await warmStandby(id);
    const from = (await containerLog(id)).length;
    const changes = () => watch.json().filter((j) => j.type === 'change' && j.service === 'orders');
    const seen = changes().length;
    const tracing = join(project.dir, 'services', 'orders', 'src', 'tracing.ts');
    const server = join(project.dir, 'services', 'orders', 'src', 'http-server.ts');
    writeFileSync(
      tracing,
      readFileSync(tracing, 'utf8').replace('tracing to ${endpoint}', 'tracing (edited) to ${endpoint}'),
    );
    writeFileSync(server, readFileSync(server, 'utf8').replace('standby from', 'cold from'));
    // Both files in one batch, or tracing.ts first: the batch with http-server.ts is the last.
    const change = await eventually(
      async () =>
        changes()
          .slice(seen)
          .find((j) => (j.files as string[]).includes('src/http-server.ts')),
      180_000,
      'the change line',
    );
    expect(change, JSON.stringify(change)).toMatchObject({ ok: true, restarted: 'process' });
    expect((await get('/orders')).text).toContain('cold from orders');
    const log = (await containerLog(id)).slice(from);
    expect(log).toMatch(
      /standby \d+ loaded \/app\/src\/tracing\.ts, changed since it started: a cold child starts instead/,
    );
    // The process that serves ran the edited tracing.ts before it took over.
    expect(log).toMatch(/tracing \(edited\) to [\s\S]*child \d+ serves/);
  }, 300_000);

  it('billing: two edits of the same size in the same second are both served (no stale bytecode)', async () => {
    // Python reuses a cached .pyc while the source's mtime (whole seconds) and size match; quick edits
    // synced by watch can match both, so each edit here gets the same mtime and the same length.
    const source = join(project.dir, 'services', 'billing', 'app.py');
    const changes = () => watch.json().filter((j) => j.type === 'change' && j.service === 'billing');
    const mtime = new Date(Math.floor(Date.now() / 1000) * 1000);
    const original = readFileSync(source, 'utf8');
    for (const marker of ['same-size-1', 'same-size-2']) {
      const seen = changes().length;
      const edited = original.replace(/("message": f")[^{]*/, `$1${marker} `);
      expect(edited).not.toBe(original);
      writeFileSync(source, edited);
      utimesSync(source, mtime, mtime);
      const change = await eventually(async () => changes()[seen], 180_000, `the change line for ${marker}`);
      expect(change, JSON.stringify(change)).toMatchObject({ ok: true, restarted: 'process' });
      expect((await get('/billing')).text).toContain(marker);
    }
  }, 400_000);

  it('a broken edit ends the container with its log; the fix restarts the container and is served', async () => {
    const source = join(project.dir, 'services', 'orders', 'src', 'config.ts');
    const changes = () => watch.json().filter((j) => j.type === 'change' && j.service === 'orders');
    const seen = changes().length;
    const config = readFileSync(source, 'utf8');
    writeFileSync(source, `${config}\nthis is not TypeScript {{{\n`);
    const broken = await eventually(async () => changes()[seen], 180_000, 'the broken change line');
    expect(broken, JSON.stringify(broken)).toMatchObject({ ok: false, restarted: 'process' });
    expect(broken.error).toMatch(/exit/);
    expect(broken.log).toContain('ERR_INVALID_TYPESCRIPT_SYNTAX');
    writeFileSync(source, config);
    const fixed = await eventually(async () => changes()[seen + 1], 180_000, 'the fixed change line');
    expect(fixed, JSON.stringify(fixed)).toMatchObject({ ok: true, restarted: 'container' });
    await servedThroughKong(get, '/orders', 'cold from orders', ROUTING_MS);
  }, 400_000);

  it('docker stop of the container still deregisters the instance, and it exits 0', async () => {
    const [instance] = await passing('orders');
    const { id } = await serviceContainer('orders');
    await docker.getContainer(id).stop({ t: 10 });
    const agent = (await (await fetch(`${consul}/v1/agent/services`)).json()) as Record<string, unknown>;
    expect(Object.keys(agent)).not.toContain(instance);
    expect(await serviceContainer('orders')).toMatchObject({ running: false, exitCode: 0 });
  }, 120_000);
});
