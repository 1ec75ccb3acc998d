// A replica SIGKILLed while still registered in Consul (its check has not failed yet, nobody
// deregistered it): Kong's first try may pick it; its retries resolve from Kong's DNS cache only
// (kong/runloop/balancer/init.lua:302, :374; test/stand-ins/kong/PARITY.md). The default stack must
// give a retry something to use, so that with two replicas requests through Kong still answer 200 (a
// rare one Kong's 502, below), and with one the failures are Kong's own 502/503 (504 for a try that timed out).
// One exception with one replica, from Kong's source, whatever the settings: a request whose first
// try used the last answer that listed the instance (a stale one, refreshed in the background) and
// whose retry comes after the refresh brought Consul's NXDOMAIN. The name error replaces the cached
// SRV answer (client.lua:224-229); the retry's cache-only lookup then ends on the A and CNAME types,
// never asked, so on `cache only lookup failed` (:930-939), which is a 500, not the 503 of a name
// error (balancer/init.lua:380-391). Only requests in flight at that moment can end so: once a
// first try met the NXDOMAIN, it asked A and CNAME too, their name errors are cached, and nothing
// after it is a 500.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
async function burstAroundKill(ms: number): Promise<Answer[]> {
  const answers: Answer[] = [];
  let stop = false;
  const client = async () => {
    while (!stop) answers.push(await get());
  };
  const clients = [client(), client(), client(), client()];
  await new Promise((r) => setTimeout(r, 500));
  const victim = await replica(1);
  process.kill(victim.State.Pid, 'SIGKILL');
  await new Promise((r) => setTimeout(r, ms));
  stop = true;
  await Promise.all(clients);
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

  it("two replicas: requests through Kong answer 200, a rare one Kong's own 502 after all its tries", async () => {
    setReplicas(2);
    await upAndRoutable();
    const answers = await burstAroundKill(12_000);
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

  it("one replica: the failures are Kong's own 502 or 503, a 500 only in flight when Consul dropped it", async () => {
    setReplicas(1);
    await upAndRoutable();
    // `up` scaled orders down to one: with a second replica left, nothing would fail at all.
    const running = await docker.listContainers({
      filters: { label: [`dev.mkdev.project=${project.name}`, 'dev.mkdev.service=orders'] },
    });
    expect(running.map((c) => c.Labels['dev.mkdev.replica'])).toEqual(['1']);
    const restartsBefore = (await replica(1)).RestartCount;
    const answers = await burstAroundKill(12_000);
    console.log(`[kong-retries] one replica: ${JSON.stringify(tally(answers))}`);
    for (const a of answers.filter((x) => x.status >= 500 && x.status !== 503))
      console.log(`[kong-retries]   ${a.status} ${a.message} after ${a.end - a.start} ms`);
    const failures = answers.filter((a) => a.status !== 200);
    // The kill took effect (the engine restarted the replica). Most runs then see Kong's own errors
    // while it is down; some runs under load saw none at all (cause not found yet), so the count
    // itself is not asserted.
    expect((await replica(1)).RestartCount).toBeGreaterThan(restartsBefore);
    // when the first answer naming Consul's NXDOMAIN came back; none: no 500 may appear at all
    const notFound = failures.filter((f) => f.status === 503 && f.message === 'name resolution failed');
    const nxdomainSeen =
      notFound.length > 0 ? Math.min(...notFound.map((f) => f.end)) : Number.NEGATIVE_INFINITY;
    for (const f of failures) {
      expect(f.fromKong).toBe(true);
      // 504: a try that waited for its connection or answer (Kong's own error page too)
      expect([500, 502, 503, 504]).toContain(f.status);
      if (f.status === 500) {
        expect(f.message).toBe('An unexpected error occurred');
        expect(f.start).toBeLessThan(nxdomainSeen);
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
