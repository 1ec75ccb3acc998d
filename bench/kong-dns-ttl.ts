// `npm run bench:kong-dns`: which Kong DNS cache settings the default stack should run with. Kong's
// retries resolve from its DNS cache only (test/stand-ins/kong/PARITY.md), so a setting that caches
// nothing fails a retry; one that caches longer lets Kong pick an instance Consul no longer lists.
// For each setting, on one stack (the default stack + a scaffolded service at two replicas):
//   - a SIGKILL of one replica while it is still registered, four clients requesting through Kong
//     from 0.5 s before to 12 s after: the answers that were not 200;
//   - an instance taken out of Consul's DNS (maintenance mode) while it keeps running: how many of
//     the requests sent afterwards it still answered, with requests back to back and after an idle
//     gap (a deregistered instance picked from a cached answer).
// Kong and Consul are the stand-ins of the image map; the cache logic is Kong's (client.lua as the
// stand-in implements it), the timings (restart, check, registration) the stand-ins' and Docker's.
// Writes the "Kong DNS settings" section of bench/RESULTS.md.
//   node --experimental-strip-types bench/kong-dns-ttl.ts
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Docker from 'dockerode';
import { request } from 'undici';
import { freeHostPortsEnv } from '../src/stack/port-variables.ts';
import { writeSection } from './lib/kept-section.ts';
import { mustSucceed, runTimed } from './lib/process.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin', 'mkdev.js');
const IMAGES = process.env.MKDEV_IMAGES || join(ROOT, 'images', 'offline-image-map.yaml');
const ENV = { MKDEV_IMAGES: IMAGES, NO_COLOR: '1', ...freeHostPortsEnv() };
const docker = new Docker();
const log = (line: string) => process.stderr.write(`bench:kong-dns: ${line}\n`);
const project = `bmdns-${Date.now().toString(36).slice(-5)}`;
const cwd = mkdtempSync(join(tmpdir(), `${project}-`));
const mkdev = (args: readonly string[]) =>
  runTimed(process.execPath, [BIN, ...args], { cwd, env: ENV, timeoutMs: 900_000 });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Setting {
  readonly name: string;
  readonly env: Record<string, string>;
}
const SETTINGS: readonly Setting[] = [
  { name: 'stale 0 (before)', env: { KONG_DNS_STALE_TTL: '0' } },
  { name: 'stale 1', env: { KONG_DNS_STALE_TTL: '1' } },
  { name: 'stale 5', env: { KONG_DNS_STALE_TTL: '5' } },
  { name: 'stale 30', env: { KONG_DNS_STALE_TTL: '30' } },
  { name: 'valid 1, stale 5', env: { KONG_DNS_VALID_TTL: '1', KONG_DNS_STALE_TTL: '5' } },
  { name: 'valid 5, stale 5', env: { KONG_DNS_VALID_TTL: '5', KONG_DNS_STALE_TTL: '5' } },
];
const GAPS_MS = [0, 2_000, 8_000];

let proxy = '';
let consul = '';
async function get(): Promise<{ status: number; instance?: string }> {
  try {
    const res = await request(`${proxy}/orders`, { headersTimeout: 90_000 });
    const text = await res.body.text();
    let instance: string | undefined;
    try {
      instance = (JSON.parse(text) as { instance?: string }).instance;
    } catch {
      // Kong's text/plain error page
    }
    return { status: res.statusCode, ...(instance ? { instance } : {}) };
  } catch {
    return { status: 0 };
  }
}

async function replicaContainer(n: number) {
  const [c] = await docker.listContainers({
    filters: {
      label: [`dev.mkdev.project=${project}`, 'dev.mkdev.service=orders', `dev.mkdev.replica=${n}`],
    },
  });
  if (!c) throw new Error(`no running orders replica ${n}`);
  return docker.getContainer(c.Id).inspect();
}
const instanceOf = async (n: number) => `orders-${(await replicaContainer(n)).Config.Hostname}`;

/** Until both replicas have answered through Kong (in the last 40 requests). */
async function bothServing(): Promise<void> {
  const deadline = Date.now() + 180_000;
  const want = new Set([await instanceOf(1), await instanceOf(2)]);
  while (Date.now() < deadline) {
    const seen = new Set<string>();
    for (let i = 0; i < 40; i++) {
      const r = await get();
      if (r.instance) seen.add(r.instance);
    }
    if ([...want].every((w) => seen.has(w))) return;
    await sleep(500);
  }
  throw new Error('both replicas never answered through Kong');
}

async function killBurst(): Promise<Record<number, number>> {
  const failures: Record<number, number> = {};
  let total = 0;
  let stop = false;
  const client = async () => {
    while (!stop) {
      const r = await get();
      total++;
      if (r.status !== 200) failures[r.status] = (failures[r.status] ?? 0) + 1;
    }
  };
  const clients = [client(), client(), client(), client()];
  await sleep(500);
  process.kill((await replicaContainer(1)).State.Pid, 'SIGKILL');
  await sleep(12_000);
  stop = true;
  await Promise.all(clients);
  log(`  kill burst: ${total} requests, not 200: ${JSON.stringify(failures)}`);
  return failures;
}

const maintenance = async (id: string, enable: boolean) => {
  const res = await request(`${consul}/v1/agent/service/maintenance/${id}?enable=${enable}`, {
    method: 'PUT',
  });
  await res.body.text();
  if (res.statusCode !== 200) throw new Error(`maintenance ${id}: ${res.statusCode}`);
};

/** After the instance left DNS: back to back, the last time it answered; after a gap, its share. */
async function exposure(gapMs: number): Promise<string> {
  const victim = await instanceOf(2);
  await bothServing();
  await maintenance(victim, true);
  const t0 = Date.now();
  try {
    if (gapMs === 0) {
      let last = -1;
      let hits = 0;
      while (Date.now() - t0 < 6_000) {
        const r = await get();
        if (r.instance === victim) {
          hits++;
          last = Date.now() - t0;
        }
      }
      return hits === 0 ? 'none' : `${hits} (last ${last} ms after)`;
    }
    await sleep(gapMs);
    let hits = 0;
    for (let i = 0; i < 6; i++) if ((await get()).instance === victim) hits++;
    return `${hits} of 6`;
  } finally {
    await maintenance(victim, false);
  }
}

function writeKongEnv(env: Record<string, string>) {
  const file = join(cwd, 'mkdev.yaml');
  const text = readFileSync(file, 'utf8').replace(/\n {2}kong:\n(?: {4}.*\n)*/, '\n');
  const lines = Object.entries(env).map(([k, v]) => `      ${k}: "${v}"`);
  writeFileSync(file, `${text.trimEnd()}\n  kong:\n    env:\n${lines.join('\n')}\n`);
}

mustSucceed('new-service', await mkdev(['new-service', 'orders']));
const yaml = join(cwd, 'mkdev.yaml');
writeFileSync(yaml, readFileSync(yaml, 'utf8').replace(/\n {2}orders:\n/, '\n  orders:\n    replicas: 2\n'));
const rows: string[] = [];
try {
  for (const setting of SETTINGS) {
    log(`${setting.name}`);
    // every setting names both variables, so one left over from the previous setting is reset
    writeKongEnv({ KONG_DNS_VALID_TTL: '', ...setting.env });
    mustSucceed('mkdev up', await mkdev(['up', 'orders', '-p', project]));
    const env = Object.fromEntries(
      (await mkdev(['env', '-p', project])).stdout
        .split('\n')
        .filter((l) => l.includes('='))
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    proxy = env.MKDEV_KONG_PROXY_URL ?? '';
    consul = env.MKDEV_CONSUL_URL ?? '';
    await bothServing();
    const failures = await killBurst();
    await bothServing();
    const gaps: string[] = [];
    for (const gap of GAPS_MS) {
      gaps.push(await exposure(gap));
      log(`  left DNS, gap ${gap} ms: ${gaps[gaps.length - 1]}`);
    }
    const failed = Object.entries(failures)
      .map(([code, n]) => `${n} x ${code}`)
      .join(', ');
    rows.push(`| ${setting.name} | ${failed || 'none'} | ${gaps.join(' | ')} |`);
  }
} finally {
  await mkdev(['down', '-v', '-p', project]);
}
const section = `## Kong DNS settings: retries against stale answers (\`npm run bench:kong-dns\`, ${new Date().toISOString().slice(0, 10)})

**Stand-in figures**: Kong and Consul are the stand-ins (Kong's DNS cache as
test/stand-ins/kong/src/dns-cache.ts and dns-resolver.ts implement client.lua); restart, check and
registration timings are the stand-ins' and Docker's. One run per setting, load ${(loadavg()[0] ?? 0).toFixed(1)}
when it ended. Two replicas of a scaffolded service. "Kill": one replica SIGKILLed while registered,
four clients through Kong for 12 s, the answers that were not 200. "Left DNS": the other replica put in
maintenance (gone from Consul's DNS, still running): how many requests it still answered, back to back
for 6 s, then after 2 s and 8 s of no requests (6 requests each).

| setting | kill: not 200 | left DNS, back to back | after 2 s idle | after 8 s idle |
| --- | --- | --- | --- | --- |
${rows.join('\n')}
`;
process.stdout.write(`${section}\n`);
writeSection(join(ROOT, 'bench', 'RESULTS.md'), section, 'bench/kong-dns-ttl.ts');
