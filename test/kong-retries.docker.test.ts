// A replica SIGKILLed while still registered in Consul (its check has not failed yet, nobody
// deregistered it): Kong's first try may pick it; its retries resolve from Kong's DNS cache only
// (kong/runloop/balancer/init.lua:302, :374; test/stand-ins/kong/PARITY.md). The default stack must
// give a retry something to use, so that with two replicas requests through Kong still answer 200 (a
// rare one Kong's 502, below), and with one the failures are Kong's own 502/503 (504 for a try that timed out).
// Two exceptions with one replica, from Kong's source, whatever the settings: a retry whose
// cache-only lookup finds no answer for the name ends on `cache only lookup failed` (client.lua:930-939),
// a 500, not the 503 of a name error (balancer/init.lua:380-391; Kong's error page, init.lua:1341-1354).
// The cached SRV answer (Consul's TTL 0, kept dns_stale_ttl = 5 s as stale) is gone for a retry
// - when a background refresh brought Consul's NXDOMAIN, which replaces it (client.lua:224-229): only
//   requests in flight at that moment can end so; once a first try met the NXDOMAIN, it asked A and
//   CNAME too, their name errors are cached, and nothing after it is a 500;
// - or when nothing refreshed it for dns_stale_ttl: it leaves the cache 5 s after its last refresh
//   (client.lua:247, :262), and only a lookup refreshes it. While Docker restarts the container its
//   address answers nothing and a connect to it waits for TCP's SYN retransmissions (1, 3, 7 s): every
//   client waits at once (seen: four sockets in SYN-SENT in Kong's namespace), no request sets out,
//   and a try refused when its SYN finally arrives, before the service listens, retries too late.
//   An address gone for good never answers, and a try to it waits the service's connect_timeout (60 s)
//   before its retry, a 500 by then: seen (ss in Kong's namespace) for replica 2, force-removed by the
//   scale-down while still registered (now stopped first, src/plan/replica-operations.ts), and for
//   replica 1 when Docker restarted it at another address (the one replica 2 had freed).
//   (CI, load 11: a 500 after 5085 ms and no 503. That one was the stand-in's: Node's global agent
//   gave up the connect at 5 s, where Kong waits for connect_timeout; the stand-in now waits too.)
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demuxToText } from '../src/engine/container-ops.ts';
import { docker, eventually, parseEnv, removeProject, testProject } from './support/cli.ts';

const project = testProject('retry');
let proxy = '';

/** The orders replica's container, by its replica number. */
async function replica(n: number) {
  const [c] = await docker.listContainers({
    filters: {
      label: [`dev.mkdev.project=${project.name}`, 'dev.mkdev.service=orders', `dev.mkdev.replica=${n}`],
    },
  });
  if (!c) throw new Error(`no running orders replica ${n}`);
  return docker.getContainer(c.Id).inspect();
}

/** The stack's KONG_DNS_STALE_TTL (stacks/microkubes.yaml), in ms. */
const STALE_TTL_MS = 5_000;

/**
 * Kong's error lines (each failed try and why) since `sinceMs`, with the engine's timestamps; a run of
 * lines with one message (503s once Consul dropped the replica: hundreds) is its first line and a count.
 */
async function kongErrorLines(sinceMs: number): Promise<string> {
  const [kong] = await docker.listContainers({
    filters: { label: [`dev.mkdev.project=${project.name}`, 'dev.mkdev.service=kong'] },
  });
  if (!kong) return '(no Kong container)';
  const raw = (await docker.getContainer(kong.Id).logs({
    stdout: true,
    stderr: true,
    timestamps: true,
    since: Math.floor(sinceMs / 1000),
  })) as unknown as Buffer;
  const out: string[] = [];
  let last = '';
  let repeats = 0;
  let lastTime = '';
  const flush = () => {
    if (repeats > 0) out.push(`  ... ${repeats} more until ${lastTime}`);
    repeats = 0;
  };
  for (const line of demuxToText(raw).split('\n')) {
    if (!line.includes('[error]')) continue;
    const message = line.slice(line.indexOf('[error]'));
    if (message === last) {
      repeats++;
      lastTime = line.slice(0, line.indexOf(' '));
      continue;
    }
    flush();
    out.push(line);
    last = message;
  }
  flush();
  return out.join('\n');
}

interface Answer {
  status: number;
  /** When the request was sent and when its answer was read (ms since the epoch). */
  start: number;
  end: number;
  /** Kong's own answer: its JSON error body carrying the request id it also sent as a header. */
  fromKong: boolean;
  message?: string;
}

async function get(): Promise<Answer> {
  const start = Date.now();
  const res = await request(`${proxy}/orders`, {
    headers: { accept: 'application/json' },
    headersTimeout: 90_000,
  });
  const text = await res.body.text();
  let body: { message?: unknown; request_id?: unknown } = {};
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: not Kong's
  }
  const fromKong = typeof body.message === 'string' && body.request_id === res.headers['x-kong-request-id'];
  return {
    status: res.statusCode,
    start,
    end: Date.now(),
    fromKong,
    ...(fromKong ? { message: String(body.message) } : {}),
  };
}

/** Requests through Kong from four clients, from just before a SIGKILL of replica 1 for `ms` after it. */
async function burstAroundKill(ms: number, onFailed: (fn: () => Promise<void>) => void): Promise<Answer[]> {
  const answers: Answer[] = [];
  const since = Date.now();
  // a failure explains itself: Kong's log names each failed try and why (connect refused, timed out,
  // a retry's failed cache-only lookup)
  onFailed(async () =>
    console.log(`[kong-retries] Kong's error lines for the burst:\n${await kongErrorLines(since)}`),
  );
  let stop = false;
  const client = async () => {
    while (!stop) answers.push(await get());
  };
  const clients = [client(), client(), client(), client()];
  await new Promise((r) => setTimeout(r, 500));
  const victim = await replica(1);
  // a container being restarted has no pid (0), and kill(0) would be this test's own process group
  if (!(victim.State.Pid > 0))
    throw new Error(`orders replica 1 has no process to kill (${victim.State.Status})`);
  process.kill(victim.State.Pid, 'SIGKILL');
  await new Promise((r) => setTimeout(r, ms));
  stop = true;
  await Promise.all(clients);
  // Docker may restart it at another address: Kong's tries to the old one wait for connect_timeout
  const addresses = (c: Awaited<ReturnType<typeof replica>>) =>
    Object.values(c.NetworkSettings.Networks).map((n) => n.IPAddress);
  const after = await replica(1).catch(() => undefined);
  console.log(
    `[kong-retries] replica 1 at ${addresses(victim)}, after its restart ${after ? addresses(after) : '(not running)'}`,
  );
  return answers;
}

const tally = (answers: Answer[]) =>
  answers.reduce<Record<string, number>>((t, a) => {
    const key = `${a.status}${a.fromKong ? ` kong: ${a.message}` : ''}`;
    t[key] = (t[key] ?? 0) + 1;
    return t;
  }, {});

function setReplicas(n: number) {
  const file = join(project.dir, 'mkdev.yaml');
  const text = readFileSync(file, 'utf8').replace(/\n {4}replicas: \d+/, '');
  writeFileSync(file, text.replace(/\n {2}orders:\n/, `\n  orders:\n    replicas: ${n}\n`));
}

async function upAndRoutable() {
  const up = await project.run(['up', 'orders'], { timeout: 600_000 });
  expect(up.exitCode, up.all).toBe(0);
  proxy = parseEnv((await project.run(['env'])).stdout).MKDEV_KONG_PROXY_URL ?? '';
  await eventually(
    async () => ((await get()).status === 200 ? true : undefined),
    120_000,
    'orders routable through Kong',
  );
}

describe('a replica killed while registered', () => {
  beforeAll(async () => {
    const made = await project.run(['new-service', 'orders'], { withoutProject: true });
    if (made.exitCode !== 0) throw new Error(`new-service failed:\n${made.all}`);
  }, 60_000);
  afterAll(() => removeProject(project.name));

  it("two replicas: requests through Kong answer 200, a rare one Kong's own 502 after all its tries", async ({
    onTestFailed,
  }) => {
    setReplicas(2);
    await upAndRoutable();
    const answers = await burstAroundKill(12_000, onTestFailed);
    console.log(`[kong-retries] two replicas: ${JSON.stringify(tally(answers))}`);
    expect(answers.length).toBeGreaterThan(20);
    // Every try after the first finds the live replica in Kong's DNS cache, but the round robin over
    // that cached answer is shared by concurrent requests (client.lua's metadataCache): with several
    // clients interleaving, one request's six tries can all land on the dead replica. Such a request is
    // Kong's own 502; one in a hundred at most (seen: 0 to 2 in 4,000-8,000).
    const failed = answers.filter((a) => a.status !== 200);
    for (const f of failed) expect([f.status, f.fromKong]).toEqual([502, true]);
    expect(failed.length).toBeLessThan(answers.length / 100);
  }, 900_000);

  it("one replica: the failures are Kong's own 502, 503 or 504; a 500 only for a retry that found Consul's answer gone from Kong's cache", async ({
    onTestFailed,
  }) => {
    setReplicas(1);
    await upAndRoutable();
    // `up` scaled orders down to one: with a second replica left, nothing would fail at all.
    const running = await docker.listContainers({
      filters: { label: [`dev.mkdev.project=${project.name}`, 'dev.mkdev.service=orders'] },
    });
    expect(running.map((c) => c.Labels['dev.mkdev.replica'])).toEqual(['1']);
    const restartsBefore = (await replica(1)).RestartCount;
    const answers = await burstAroundKill(12_000, onTestFailed);
    // the slowest request: one that waited on the replica's address while it was down (SYN-SENT)
    const slowest = Math.max(...answers.map((a) => a.end - a.start));
    console.log(`[kong-retries] one replica: ${JSON.stringify(tally(answers))}, slowest ${slowest} ms`);
    for (const a of answers.filter((x) => x.status >= 500 && x.status !== 503))
      console.log(`[kong-retries]   ${a.status} ${a.message} after ${a.end - a.start} ms`);
    const failures = answers.filter((a) => a.status !== 200);
    // The kill took effect (the engine restarted the replica). Most runs then see Kong's own errors
    // while it is down; some runs under load saw none at all (cause not found yet), so the count
    // itself is not asserted.
    expect((await replica(1)).RestartCount).toBeGreaterThan(restartsBefore);
    // when the first answer naming Consul's NXDOMAIN came back; none: -Infinity
    const notFound = failures.filter((f) => f.status === 503 && f.message === 'name resolution failed');
    const nxdomainSeen =
      notFound.length > 0 ? Math.min(...notFound.map((f) => f.end)) : Number.NEGATIVE_INFINITY;
    /** The last time a request (any client's, this one's included) set out before `t`: its first try's lookup refreshed the answer. */
    const lastStartBefore = (t: number) =>
      Math.max(...answers.filter((a) => a.start <= t).map((a) => a.start));
    for (const f of failures) {
      expect(f.fromKong).toBe(true);
      // 504: a try that waited for its connection or answer (Kong's own error page too)
      expect([500, 502, 503, 504]).toContain(f.status);
      if (f.status === 500) {
        expect(f.message).toBe('An unexpected error occurred');
        // in flight when the NXDOMAIN replaced the answer, or after dns_stale_ttl with no request
        // setting out (no lookup refreshed the answer, which left the cache)
        const replaced = f.start < nxdomainSeen;
        const expired = f.end - lastStartBefore(f.end) >= STALE_TTL_MS;
        expect(
          { replaced, expired },
          `500 sent at ${f.start}, answered ${f.end - f.start} ms later; last request out ${f.end - lastStartBefore(f.end)} ms before its end`,
        ).not.toEqual({ replaced: false, expired: false });
      }
    }
    // the restarted replica is routed again
    await eventually(
      async () => ((await get()).status === 200 ? true : undefined),
      120_000,
      'routable again',
    );
  }, 900_000);
});
