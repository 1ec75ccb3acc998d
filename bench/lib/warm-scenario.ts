// The warm paths users meet daily, on the default stack plus one small service (`echo`): `up` after
// `down` (volumes kept); `up` after the engine restarted, simulated by stopping every container of
// the project (the engine is shared: it cannot be restarted for a bench); `up` after editing one
// service's env, where only that service may be recreated.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { mustSucceed } from './process.ts';
import { SERVER } from './scale-scenario.ts';
import { lastJson, type ScenarioContext } from './scenario-context.ts';

type Timeline = Record<string, { startAt?: number; readyAt?: number }>;

/**
 * What the services this up had to start took themselves, chained as they must be: the span of the
 * up's critical path (its --json summary), from the first service's start to the last one's ready
 * (up's timeline). A chain (consul -> kong-migrations -> kong) counts whole, where the slowest single
 * service understated it; a span, not a sum, because Kong starts while its migrations still run.
 */
function servicesOwnTime(stdout: string): number | undefined {
  const summary = lastJson(stdout);
  const timeline = (summary.timeline ?? {}) as Timeline;
  const path = ((summary.criticalPath ?? []) as string[]).map((name) => timeline[name]);
  const start = path[0]?.startAt;
  const ready = path.at(-1)?.readyAt;
  return start === undefined || ready === undefined ? undefined : ready - start;
}

const stackWith = (greeting: string) =>
  [
    'services:',
    '  echo:',
    '    image: python:3.13-slim-trixie',
    `    command: [python3, -c, ${JSON.stringify(SERVER)}]`,
    `    env: { GREETING: ${greeting} }`,
    "    ports: ['8080']",
    '    ready: { tcp: { port: 8080 } }',
    '',
  ].join('\n');

async function containerIds(docker: Docker, project: string): Promise<Map<string, string>> {
  const list = await docker.listContainers({
    all: true,
    filters: { label: [`dev.mkdev.project=${project}`] },
  });
  return new Map(list.map((c) => [c.Labels['dev.mkdev.service'] ?? c.Id, c.Id]));
}

export async function warmScenario(ctx: ScenarioContext, docker: Docker, rep: number): Promise<void> {
  const project = `bw-${ctx.runId}-${rep}`;
  const cwd = mkdtempSync(join(tmpdir(), `${project}-`));
  const file = join(cwd, 'mkdev.yaml');
  const up = async (what: string) => {
    const result = mustSucceed(what, await ctx.mkdev(['up', '--json', '-p', project], cwd));
    ctx.add(`warm: ${what}`, result.ms);
    // What the services themselves took: the goal is up <= 1.1x this.
    const own = servicesOwnTime(result.stdout);
    if (own !== undefined) ctx.add(`warm: ${what}, its critical path from start to ready`, own);
    ctx.log(`rep ${rep}: ${what} ${(result.ms / 1000).toFixed(2)} s`);
  };
  writeFileSync(file, stackWith('hello'));
  try {
    mustSucceed('up', await ctx.mkdev(['up', '-p', project], cwd));
    mustSucceed('down', await ctx.mkdev(['down', '-p', project], cwd));
    await up('up after down (volumes kept)');
    const running = await docker.listContainers({ filters: { label: [`dev.mkdev.project=${project}`] } });
    await Promise.all(running.map((c) => docker.getContainer(c.Id).stop()));
    await up('up after every container was stopped (stands in for an engine restart)');
    const before = await containerIds(docker, project);
    writeFileSync(file, stackWith('bonjour'));
    await up("up after editing one service's env");
    const after = await containerIds(docker, project);
    const recreated = [...after].filter(([service, id]) => before.get(service) !== id).map(([s]) => s);
    if (recreated.join(',') !== 'echo') {
      throw new Error(`editing echo's env recreated ${recreated.join(', ') || 'nothing'}, not just echo`);
    }
  } finally {
    await ctx.mkdev(['down', '--volumes', '-t', '0', '-p', project], cwd);
    rmSync(cwd, { recursive: true, force: true });
  }
}
