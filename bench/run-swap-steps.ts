// `mkdev run`'s swap, step by step, under a burst of requests through Kong (two loops of back-to-back
// GET /orders), counted: every answer that is not a 200 is a failure.
//   node bench/run-swap-steps.ts [--swaps N] [--bin path/to/bin/mkdev.js ...]
// One project (a scaffolded TypeScript `orders`, by the last --bin; `mkdev up`, `npm install` in it), then for each swap
// and each --bin in turn (A, B, A, B: the load of a shared machine falls on both alike):
// `mkdev run orders -- node src/main.ts`, ready, 1 s, SIGINT. Times are wall clock, from mkdev's own
// lines as they arrive and from the burst's answers: in, from the "running ... on the host" line (just
// after the spawn); out, from the SIGINT. The load average is printed with each swap.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { hostname, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { freeHostPortsEnv } from '../src/stack/port-variables.ts';
import { mustSucceed, runTimed } from './lib/process.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({
  options: { swaps: { type: 'string', default: '3' }, bin: { type: 'string', multiple: true } },
});
const bins = values.bin ?? [join(ROOT, 'bin', 'mkdev.js')];
const ENV: Record<string, string> = {
  MKDEV_IMAGES: process.env.MKDEV_IMAGES || join(ROOT, 'images', 'offline-image-map.yaml'),
  NO_COLOR: '1',
  ...freeHostPortsEnv(),
};
const project = `run-swap-${process.pid}`;
const dir = mkdtempSync(join(tmpdir(), `${project}-`));
const hostInstance = `orders-${hostname()}`;
const mkdev = (args: string[], cwd = dir) =>
  runTimed(process.execPath, [bins[0] as string, ...args], { cwd, env: ENV, timeoutMs: 600_000 });

interface Answer {
  readonly t: number;
  readonly status: number | 'error';
  readonly host: boolean;
}

function burst(proxy: string) {
  const answers: Answer[] = [];
  let running = true;
  const loop = async () => {
    while (running) {
      try {
        const res = await fetch(`${proxy}/orders`, { signal: AbortSignal.timeout(5000) });
        const text = await res.text();
        answers.push({ t: performance.now(), status: res.status, host: text.includes(hostInstance) });
      } catch {
        answers.push({ t: performance.now(), status: 'error', host: false });
      }
    }
  };
  const loops = [loop(), loop()];
  return {
    stop: async () => {
      running = false;
      await Promise.all(loops);
      return answers;
    },
  };
}

/** mkdev's lines, each with the time it arrived. */
function lines(child: ChildProcess) {
  const seen: { t: number; line: string }[] = [];
  let buffer = '';
  const take = (chunk: Buffer) => {
    buffer += chunk.toString();
    for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
      seen.push({ t: performance.now(), line: buffer.slice(0, nl) });
      buffer = buffer.slice(nl + 1);
    }
  };
  child.stdout?.on('data', take);
  child.stderr?.on('data', take);
  return { at: (text: string) => seen.find((l) => l.line.includes(text))?.t, text: () => seen };
}

async function swap(bin: string, proxy: string): Promise<Record<string, string | number>> {
  const answers = burst(proxy);
  await sleep(500);
  const launched = performance.now();
  const run = spawn(
    process.execPath,
    [
      bin,
      'run',
      'orders',
      '-p',
      project,
      '--',
      process.execPath,
      '--disable-warning=ExperimentalWarning',
      'src/main.ts',
    ],
    { cwd: join(dir, 'services/orders'), env: { ...process.env, ...ENV }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const out = lines(run);
  const exited = new Promise<number | null>((resolve) => run.once('exit', resolve));
  while (out.at('on the host is ready') === undefined) {
    if (run.exitCode !== null)
      throw new Error(
        out
          .text()
          .map((l) => l.line)
          .join('\n'),
      );
    await sleep(20);
  }
  await sleep(1000);
  const signalled = performance.now();
  run.kill('SIGINT');
  const code = await exited;
  const ended = performance.now();
  await sleep(1500);
  const all = await answers.stop();
  const spawned = out.at('on the host at') ?? Number.NaN;
  const ms = (t: number | undefined, from: number) => (t === undefined ? '-' : Math.round(t - from));
  const ok = all.filter((a) => a.status === 200);
  return {
    load: (loadavg()[0] ?? 0).toFixed(1),
    exit: String(code),
    'launch->spawn': ms(spawned, launched),
    'in: host via Kong': ms(ok.find((a) => a.host)?.t, spawned),
    'in: last container via Kong': ms(ok.filter((a) => a.t < signalled && !a.host).at(-1)?.t, spawned),
    'in: ready line': ms(out.at('on the host is ready'), spawned),
    'out: container via Kong': ms(ok.find((a) => a.t > signalled && !a.host)?.t, signalled),
    'out: last host via Kong': ms(ok.filter((a) => a.host).at(-1)?.t, signalled),
    'out: ready-again line': ms(out.at('containers ready again'), signalled),
    'out: mkdev exited': ms(ended, signalled),
    requests: all.length,
    failed: all.length - ok.length,
  };
}

try {
  // Scaffolded by the last --bin (the branch under test): its templates are the newest, and the service's
  // image is the same for every bin.
  mustSucceed(
    'new-service',
    await runTimed(process.execPath, [bins.at(-1) as string, 'new-service', 'orders'], {
      cwd: dir,
      env: ENV,
      timeoutMs: 600_000,
    }),
  );
  mustSucceed('up', await mkdev(['up', '-p', project]));
  mustSucceed(
    'npm install',
    await runTimed('npm', ['install', '--omit=dev', '--no-audit', '--no-fund', '--prefer-offline'], {
      cwd: join(dir, 'services/orders'),
    }),
  );
  const proxy = /MKDEV_KONG_PROXY_URL=(\S+)/.exec(
    (await mkdev(['env', '-p', project])).stdout,
  )?.[1] as string;
  // A first swap, not counted: npm install changed the build context, so the swap back rebuilds once.
  await swap(bins[0] as string, proxy);
  for (let i = 1; i <= Number(values.swaps); i++) {
    for (const [n, bin] of bins.entries()) {
      const row = await swap(bin, proxy);
      console.log(JSON.stringify({ swap: i, bin: String.fromCharCode(65 + n), ...row }));
    }
  }
} finally {
  await mkdev(['down', '-v', '--images', '-t', '0', '-p', project]);
  rmSync(dir, { recursive: true, force: true });
}
