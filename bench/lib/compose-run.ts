// Scenario 2: the exported Compose file, brought up by docker-compose 1.29. Ready means every service
// with a healthcheck is healthy, every job exited 0, and Kong answers /status/ready on its port.
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type Docker from 'dockerode';
import { parse } from 'yaml';
import { mustSucceed, runTimed } from './process.ts';

const POLL_MS = 250;

interface ComposeService {
  healthcheck?: { test?: unknown; disable?: boolean };
  restart?: string;
}

export interface ComposeResult {
  /** From spawning `up -d` to the whole stack ready. */
  readonly readyMs: number;
  /** When `up -d` itself returned (it waits for the healthy dependencies of what it starts). */
  readonly upReturnedMs: number;
  /** When each service became healthy, exited 0, or (without a check) was seen running. */
  readonly perService: Readonly<Record<string, number>>;
  readonly downMs: number;
}

export async function composeUpToReady(
  docker: Docker,
  project: string,
  file: string,
  timeoutMs = 300_000,
): Promise<ComposeResult> {
  const services = (
    parse(readFileSync(file, 'utf8'), { version: '1.1' }) as {
      services: Record<string, ComposeService>;
    }
  ).services;
  const checked = Object.keys(services).filter((n) => services[n]?.healthcheck?.test !== undefined);
  const jobs = Object.keys(services).filter((n) => services[n]?.restart === 'no');
  const started = performance.now();
  let upReturnedMs = Number.NaN;
  const up = runTimed('docker-compose', ['-p', project, '-f', file, 'up', '-d'], { timeoutMs }).then((r) => {
    upReturnedMs = performance.now() - started;
    return mustSucceed('docker-compose up -d', r);
  });
  let upError: unknown;
  up.catch((error: unknown) => {
    upError = error;
  });
  const perService: Record<string, number> = {};
  try {
    await pollUntilReady(docker, project, { checked, jobs, started, timeoutMs, perService }, () => upError);
  } catch (error) {
    // Let `up -d` finish (or time out) first, so the clean-up after us finds everything it created.
    await up.catch(() => {});
    throw error;
  }
  const readyMs = performance.now() - started;
  await up;
  const down = mustSucceed(
    'docker-compose down -v',
    await runTimed('docker-compose', ['-p', project, '-f', file, 'down', '-v', '--remove-orphans']),
  );
  return { readyMs, upReturnedMs, perService, downMs: down.ms };
}

interface Expected {
  readonly checked: readonly string[];
  readonly jobs: readonly string[];
  readonly started: number;
  readonly timeoutMs: number;
  readonly perService: Record<string, number>;
}

async function pollUntilReady(
  docker: Docker,
  project: string,
  { checked, jobs, started, timeoutMs, perService }: Expected,
  upError: () => unknown,
): Promise<void> {
  let kongReady = false;
  for (;;) {
    if (upError()) throw upError();
    const elapsed = performance.now() - started;
    if (elapsed > timeoutMs) throw new Error(`compose stack ${project} not ready after ${timeoutMs} ms`);
    const states = await serviceStates(docker, project);
    for (const [name, state] of Object.entries(states)) {
      const done = checked.includes(name)
        ? state === 'healthy'
        : jobs.includes(name)
          ? state === 'exited 0'
          : state === 'running';
      if (done) perService[name] ??= elapsed;
      if (jobs.includes(name) && state.startsWith('exited') && state !== 'exited 0') {
        throw new Error(`compose job ${name} ${state}`);
      }
    }
    if (!kongReady && states.kong === 'healthy') kongReady = await kongAnswers(docker, project);
    if (kongReady && [...checked, ...jobs].every((n) => perService[n] !== undefined)) return;
    await sleep(POLL_MS);
  }
}

async function serviceStates(docker: Docker, project: string): Promise<Record<string, string>> {
  const list = await docker.listContainers({
    all: true,
    filters: { label: [`com.docker.compose.project=${project}`] },
  });
  const entries = await Promise.all(
    list.map(async (c) => {
      // Compose may replace a container between the listing and this look: skip it this round.
      const info = await docker
        .getContainer(c.Id)
        .inspect()
        .catch(() => undefined);
      if (info === undefined) return ['', 'gone'] as const;
      // A job's exit code is what counts; its image may declare a healthcheck of its own.
      const state = !info.State.Running
        ? info.State.Status === 'exited'
          ? `exited ${info.State.ExitCode}`
          : info.State.Status
        : (info.State.Health?.Status ?? 'running');
      return [c.Labels['com.docker.compose.service'] ?? '', state] as const;
    }),
  );
  return Object.fromEntries(entries.filter(([name]) => name !== ''));
}

async function kongAnswers(docker: Docker, project: string): Promise<boolean> {
  const [c] = await docker.listContainers({
    filters: { label: [`com.docker.compose.project=${project}`, 'com.docker.compose.service=kong'] },
  });
  const port = c?.Ports.find((p) => p.PrivatePort === 8100 && p.PublicPort)?.PublicPort;
  if (port === undefined) return false;
  try {
    const res = await fetch(`http://127.0.0.1:${port}/status/ready`, { signal: AbortSignal.timeout(2000) });
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false;
  }
}
