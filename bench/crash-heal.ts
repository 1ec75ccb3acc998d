// `npm run bench:crash`: how long a crashed service takes to be ready again by itself (its restart
// policy), on one stack (the default stack + a scaffolded TypeScript service). Each service's main
// process is SIGKILLed from the host (State.Pid), as a crash; mkdev is not run in between. Measured
// from the kill: the engine restarted it; its readiness probe (the one `mkdev up` uses) passes;
// the scaffolded service answers through Kong again. Writes the "Crash to ready again" section of
// bench/RESULTS.md.
//   node --experimental-strip-types bench/crash-heal.ts [--reps N]
import { mkdtempSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { request } from 'undici';
import { createDockerClient } from '../src/engine/docker-client.ts';
import { DockerConnection } from '../src/engine/docker-connection.ts';
import { probeTargetOf } from '../src/engine/probe-target.ts';
import { projectPeers } from '../src/project/peers.ts';
import { allOf } from '../src/readiness/create-probe.ts';
import { loadStack } from '../src/stack/load-stack.ts';
import { freeHostPortsEnv } from '../src/stack/port-variables.ts';
import { emitFigures } from './lib/figures-file.ts';
import { writeSection } from './lib/kept-section.ts';
import { mustSucceed, runTimed } from './lib/process.ts';
import { marked, STAND_IN_LEGEND } from './lib/stand-in-figures.ts';
import { spread, summarize } from './lib/stats.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin', 'mkdev.js');
const IMAGES = process.env.MKDEV_IMAGES || join(ROOT, 'images', 'offline-image-map.yaml');
const ENV = { MKDEV_IMAGES: IMAGES, NO_COLOR: '1', ...freeHostPortsEnv() };
const { values } = parseArgs({
  options: {
    reps: { type: 'string', default: '3' },
    services: { type: 'string', default: 'postgres,consul,rabbitmq,kong,orders' },
  },
});
const SERVICES = values.services.split(',');
const reps = Number(values.reps);
const docker = createDockerClient();
const engine = () => new DockerConnection(docker).project(project);
const log = (line: string) => process.stderr.write(`bench:crash: ${line}\n`);
const project = `bmcrash-${Date.now().toString(36).slice(-5)}`;
const cwd = mkdtempSync(join(tmpdir(), `${project}-`));
const mkdev = (args: readonly string[]) =>
  runTimed(process.execPath, [BIN, ...args], { cwd, env: ENV, timeoutMs: 900_000 });
const until = async (what: string, check: () => Promise<boolean>, timeoutMs = 300_000) => {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    // Each attempt is bounded: one that never settles must not stall the measurement.
    const attempt = Promise.race([check(), new Promise<boolean>((r) => setTimeout(() => r(false), 5000))]);
    if (await attempt.catch(() => false)) return Date.now();
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
};
const containerOf = async (service: string) => {
  const [c] = await docker.listContainers({
    filters: { label: [`dev.mkdev.project=${project}`, `dev.mkdev.service=${service}`] },
  });
  if (!c) throw new Error(`no running ${service}`);
  return docker.getContainer(c.Id);
};

mustSucceed('new-service', await mkdev(['new-service', 'orders']));
mustSucceed('mkdev up', await mkdev(['up', '-p', project]));
const stack = await loadStack({ cwd, project, env: { ...process.env, ...ENV } });
// Read each time: a restarted container's engine-chosen host ports change.
const routable = async () => {
  const info = await (await containerOf('kong')).inspect();
  const proxyPort = info.NetworkSettings.Ports['8000/tcp']?.[0]?.HostPort;
  const res = await request(`http://127.0.0.1:${proxyPort}/orders`, {
    headersTimeout: 2000,
    bodyTimeout: 2000,
  });
  const body = await res.body.text(); // always read: an unread body holds its connection
  return res.statusCode === 200 && body.includes('"orders"');
};
const samples: Record<string, number[]> = {};
const add = (key: string, ms: number) => {
  samples[key] = [...(samples[key] ?? []), ms];
};
try {
  await until('orders routable', routable);
  for (let rep = 1; rep <= reps; rep++) {
    for (const service of SERVICES) {
      log(`rep ${rep} ${service}: crashing`);
      const container = await containerOf(service);
      const before = await container.inspect();
      const probe = allOf(stack.services[service]?.ready?.probes ?? []);
      process.kill(before.State.Pid, 'SIGKILL');
      const killed = Date.now();
      log(`rep ${rep} ${service}: killed pid ${before.State.Pid}`);
      const restarted = await until(`${service} restarted`, async () => {
        const now = await container.inspect();
        return now.State.Running && now.RestartCount > before.RestartCount;
      });
      log(`rep ${rep} ${service}: restarted`);
      // The target is read each time: right after a restart the engine may not list its ports yet.
      const ready = await until(`${service} ready`, async () => {
        // With its peers: a scaffolded service's readiness includes a request through Kong's proxy.
        const target = {
          ...(await probeTargetOf(engine(), { id: container.id, service }, '127.0.0.1')),
          peer: await projectPeers(engine(), '127.0.0.1'),
        };
        return (await probe.check(target, AbortSignal.timeout(2000))).ready;
      });
      log(`rep ${rep} ${service}: ready`);
      const routed = await until('orders routable again', routable);
      add(`${service}: restarted by the engine`, restarted - killed);
      add(`${service}: ready (its readiness probe passes)`, ready - killed);
      add(`${service}: orders answers through Kong again`, routed - killed);
      log(
        `rep ${rep} ${service}: restarted ${restarted - killed} ms, ready ${ready - killed} ms, routable ${routed - killed} ms`,
      );
    }
  }
} finally {
  await mkdev(['down', '-v', '-t', '0', '--images', '-p', project]);
}

emitFigures(samples);
// Kong's and Consul's own recovery, and anything routed through Kong (the scaffolded service's
// readiness is a request through Kong too), rest on the stand-ins' timing.
const standIn = (k: string) =>
  k.includes('through Kong') || (/^(kong|consul|orders):/.test(k) && !k.endsWith('restarted by the engine'));
const rows = Object.entries(samples).map(
  ([k, v]) => `| ${marked(k, standIn(k))} | ${spread(summarize(v))} |`,
);
const section = `## Crash to ready again

Written by \`npm run bench:crash\` (bench/crash-heal.ts), ${new Date().toISOString()}: one stack (the
default stack and a scaffolded TypeScript service \`orders\`, offline image set, free host ports),
${reps} rounds; in each, every service's main process is SIGKILLed from the host (the container's
State.Pid, as a crash: not \`docker stop\`/\`kill\`, which a restart policy treats as deliberate), one
after the other, each measured from the kill until: the engine restarted it (unless-stopped), its
readiness probe (the one \`mkdev up\` waits for) passes, and \`GET /orders\` through Kong answers 200
from the service. No \`mkdev up\` in between. Polled every 100 ms. The machine (2 cores) was shared
with other agents' test runs (load average ${loadavg()
  .map((l) => l.toFixed(2))
  .join(' ')} at the end): the numbers are noisy.

After a RabbitMQ crash, \`orders\` answers through Kong some seconds after RabbitMQ is ready again:
while RabbitMQ is down its \`/healthz\` fails, Consul marks it critical and Kong answers 503; it
reconnects with backoff and Consul sees it passing at its next check. The other crashes do not
touch the path from Kong to the service for long: Kong keeps its routes, Consul keeps its catalog
(server mode, on its volume) and Kong proxies from its router in memory, not from Postgres per request.

${STAND_IN_LEGEND}

| from the crash until | median (min – max, n) |
| --- | --- |
${rows.join('\n')}
`;
writeSection(join(ROOT, 'bench', 'RESULTS.md'), section, 'bench/crash-heal.ts');
process.stdout.write(section);
