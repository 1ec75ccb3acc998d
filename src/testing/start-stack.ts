// Throwaway stacks for integration tests, on the same engine and code path as `mkdev up`.
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { engineHost } from '../engine/docker-client.ts';
import { openEngine } from '../engine/docker-connection.ts';
import type { Engine } from '../engine/engine.ts';
import { LABEL } from '../engine/labels.ts';
import { currentOwner, formatOwner } from '../engine/owner.ts';
import { InterruptedError, UserError } from '../errors.ts';
import { stackHashes } from '../plan/config-hash.ts';
import type { StackEvent } from '../plan/events.ts';
import { bringUp } from '../project/bring-up.ts';
import { THROWAWAY, tearDown } from '../project/tear-down.ts';
import { loadStack } from '../stack/load-stack.ts';
import type { Stack } from '../stack/model.ts';
import type { ServiceFile } from '../stack/schema.ts';
import { restoreSnapshot, type StackSnapshot, takeSnapshot } from './snapshot.ts';
import { ensureTestcontainersEngine } from './testcontainers-engine.ts';

export interface StartStackOptions {
  /** The project directory whose mkdev.yaml (if any) layers on the default stack; default: cwd. */
  readonly cwd?: string;
  /** A project file other than ./mkdev.yaml. */
  readonly file?: string;
  /** Path of an image map (as --images); MKDEV_IMAGES is read when absent. */
  readonly images?: string;
  /** Only these services (and what they depend on); default: all. */
  readonly services?: readonly string[];
  /** Services to add or override, in stack-file form. */
  readonly extraServices?: Readonly<Record<string, ServiceFile>>;
  /** Keep the stack after stop() and hand it over to the next run whose definition is identical. */
  readonly reuse?: boolean;
  /** Give up after this long (default 240 s), with a UserError naming what was still awaited; nothing is left. */
  readonly timeoutMs?: number;
  readonly onEvent?: (event: StackEvent) => void;
}

export interface TestStack {
  readonly project: string;
  /** The same keys as `mkdev env`: MKDEV_KONG_PROXY_URL, MKDEV_CONSUL_URL, MKDEV_RABBITMQ_URL, ... */
  readonly env: Readonly<Record<string, string>>;
  /** Where a service's container port is published: http://127.0.0.1:<port>. */
  url(service: string, containerPort: number): string;
  /** Whole-stack state: Postgres dump, Consul KV, RabbitMQ definitions (queues purged on restore). */
  snapshot(): Promise<StackSnapshot>;
  restore(snapshot: StackSnapshot): Promise<void>;
  /** Removes the stack (a reusable one is left running unless `remove` is true). */
  stop(options?: { remove?: boolean }): Promise<void>;
}

export async function startStack(options: StartStackOptions = {}): Promise<TestStack> {
  // The same engine for testcontainers, which the test may use beside this stack.
  await ensureTestcontainersEngine();
  const connection = await openEngine();
  await connection.reapOrphans();
  const load = (project: string, stateDir: string) =>
    loadStack({
      cwd: options.cwd ?? process.cwd(),
      project,
      stateDir,
      freePorts: true,
      ...(options.file ? { file: options.file } : {}),
      ...(options.images ? { images: options.images } : {}),
      ...(options.extraServices ? { overrides: options.extraServices } : {}),
    });
  const { project, stateDir } = await nameStack(options, load);
  const stack = await load(project, stateDir);
  // Throwaway stacks carry their owner, so a crashed test process's stacks are reaped later.
  const extraLabels: Record<string, string> = options.reuse
    ? {}
    : { [LABEL.owner]: formatOwner(currentOwner()) };
  const engine = connection.project(project, extraLabels);
  const host = engineHost();
  const timeoutMs = options.timeoutMs ?? 240_000;
  const signal = AbortSignal.timeout(timeoutMs);
  const lastEvents = new Map<string, StackEvent>();
  let result: UpResult;
  try {
    result = await bringUp({
      stack,
      engine,
      host,
      signal,
      onEvent: (event) => {
        // What each service was doing when time ran out (not the cancellation that follows).
        if (event.step !== 'cancelled') lastEvents.set(event.service, event);
        options.onEvent?.(event);
      },
      ...(options.services ? { services: options.services } : {}),
    });
  } catch (error) {
    if (!options.reuse) {
      await tearDown(engine, THROWAWAY).catch(() => {});
      rmSync(stateDir, { recursive: true, force: true });
    }
    throw signal.aborted && error instanceof InterruptedError ? notReadyWithin(timeoutMs, lastEvents) : error;
  }
  return testStackOf(engine, stack, host, result, async (stopOptions = {}) => {
    if (options.reuse && !stopOptions.remove) return;
    await tearDown(engine, THROWAWAY);
    rmSync(stateDir, { recursive: true, force: true });
  });
}

type UpResult = Awaited<ReturnType<typeof bringUp>>;

/** timeoutMs ran out: which services were still on their way, and where each was. */
function notReadyWithin(timeoutMs: number, lastEvents: ReadonlyMap<string, StackEvent>): UserError {
  const pending = [...lastEvents.values()].filter((e) => e.step !== 'ready' && e.step !== 'completed');
  return new UserError(
    `the stack was not ready within timeoutMs (${timeoutMs / 1000} s)${pending.length > 0 ? `: ${pending.map((e) => `${e.service}: ${e.message}`).join('; ')}` : ''}`,
    { hint: 'give startStack a longer timeoutMs, or find out why with the service logs' },
  );
}

function testStackOf(
  engine: Engine,
  stack: Stack,
  host: string,
  result: UpResult,
  stop: TestStack['stop'],
): TestStack {
  const { project } = stack;
  const ports = (service: string) =>
    result.observed.containers.find((c) => c.service === service && c.replica === 1)?.ports ?? {};
  return {
    project,
    env: Object.fromEntries(result.endpoints.map((e) => [e.name, e.value])),
    url(service, containerPort) {
      const port = ports(service)[`${containerPort}/tcp`];
      if (port === undefined) throw new Error(`${service}:${containerPort} is not published in ${project}`);
      return `http://${host}:${port}`;
    },
    snapshot: async () => takeSnapshot(engine, stack, await engine.observe()),
    restore: (snapshot) => restoreSnapshot(engine, stack, snapshot),
    stop,
  };
}

/** A throwaway stack gets a random name; a reusable one is named after its definition, across runs. */
async function nameStack(
  options: StartStackOptions,
  load: (project: string, stateDir: string) => Promise<Stack>,
): Promise<{ project: string; stateDir: string }> {
  if (!options.reuse) {
    const project = `mkdevtest-${randomBytes(4).toString('hex')}`;
    return { project, stateDir: mkdtempSync(join(tmpdir(), `${project}-`)) };
  }
  const probeDir = join(tmpdir(), 'mkdev-testing', 'definition');
  mkdirSync(probeDir, { recursive: true });
  const definition = await load('mkdevtest-definition', probeDir);
  const hash = createHash('sha256')
    .update(JSON.stringify([configHashesOf(definition), options.services ?? []]))
    .digest('hex')
    .slice(0, 10);
  const project = `mkdevtest-r${hash}`;
  const stateDir = join(tmpdir(), 'mkdev-testing', project);
  mkdirSync(stateDir, { recursive: true });
  return { project, stateDir };
}

/** Each service's config hash (which covers its build): what names a reusable stack. */
function configHashesOf(stack: Stack): Record<string, string> {
  return Object.fromEntries(Object.entries(stackHashes(stack)).map(([name, h]) => [name, h.config]));
}
