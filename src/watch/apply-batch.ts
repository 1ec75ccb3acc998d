// Applies one service's batch to its containers: sync (archive API), then restart or exec, then wait
// for readiness; or a rebuild through bring-up (the one code path that starts a stack), which keeps
// the old container serving when the build fails.
import { deathWatch, logTail } from '../engine/container-health.ts';
import type { ContainerRef, Engine } from '../engine/engine.ts';
import type { ObservedContainer } from '../engine/observed-state.ts';
import { probeTargetOf } from '../engine/probe-target.ts';
import { UserError } from '../errors.ts';
import { bringUp } from '../project/bring-up.ts';
import { projectPeers } from '../project/peers.ts';
import { lockProject } from '../project/project-lock.ts';
import { liveRun } from '../project/run-record.ts';
import { allOf } from '../readiness/create-probe.ts';
import { waitUntilReady } from '../readiness/wait-until-ready.ts';
import type { ServiceSpec, Stack } from '../stack/model.ts';
import type { BatchPlan } from './batch-plan.ts';
import {
  ProcessNotReplaced,
  processesBeforeRestart,
  type RestartKind,
  restartServiceProcess,
} from './restart-service-process.ts';

export interface ApplyContext {
  readonly stack: Stack;
  readonly engine: Engine;
  readonly host: string;
  readonly signal: AbortSignal;
}

export interface ChangeReport {
  readonly service: string;
  readonly files: readonly string[];
  readonly action: BatchPlan['action'];
  readonly ok: boolean;
  /** Milliseconds since the batch started, per step reached. */
  readonly syncedMs?: number;
  readonly restartedMs?: number;
  /** What sync+restart restarted: the service's process in its container (a supervisor's image), or the container. */
  readonly restarted?: RestartKind;
  readonly execMs?: number;
  readonly rebuiltMs?: number;
  readonly readyMs?: number;
  readonly error?: string;
  /** The failing container's last log lines, or the build's. */
  readonly log?: string;
  /** Why the batch stopped short without failing (the service runs on the host). */
  readonly skipped?: string;
}

type Steps = Record<'syncedMs' | 'restartedMs' | 'execMs' | 'rebuiltMs' | 'readyMs', number> & {
  restarted: RestartKind;
};

class StepFailed extends Error {
  readonly log: string | undefined;
  constructor(message: string, log?: string) {
    super(message);
    this.log = log;
  }
}

/** Copies the changed files into every replica; removes the deleted ones where it runs. */
async function syncFiles(engine: Engine, containers: readonly ObservedContainer[], plan: BatchPlan) {
  const present = plan.sync.filter((s) => !s.deleted).map((s) => ({ source: s.path, target: s.target }));
  const deleted = plan.sync.filter((s) => s.deleted).map((s) => s.target);
  await Promise.all(
    containers.map(async (c) => {
      if (present.length > 0) await engine.copyIn(c, present);
      // The archive API only adds. A stopped container keeps the stale file until it is rebuilt: rm
      // needs a running one.
      if (deleted.length > 0 && c.state === 'running') {
        const { exitCode, output } = await engine.exec(c, ['rm', '-f', '--', ...deleted]);
        if (exitCode !== 0) throw new StepFailed(`removing ${deleted.join(', ')} failed`, output.trimEnd());
      }
    }),
  );
}

async function waitReady(ctx: ApplyContext, service: ServiceSpec, containers: readonly ContainerRef[]) {
  const ready = service.ready;
  if (ready === undefined) return;
  const probe = allOf(ready.probes);
  const peer = await projectPeers(ctx.engine, ctx.host);
  await Promise.all(
    containers.map(async (c) => {
      try {
        await waitUntilReady(
          probe,
          { ...(await probeTargetOf(ctx.engine, c, ctx.host)), peer },
          {
            intervalMs: Math.min(ready.intervalMs, 100),
            timeoutMs: ready.timeoutMs,
            signal: ctx.signal,
            whyDead: deathWatch(ctx.engine, c),
          },
        );
      } catch (error) {
        if (ctx.signal.aborted) throw error;
        throw new StepFailed((error as Error).message, await logTail(ctx.engine, c, 40));
      }
    }),
  );
}

async function syncAndRestart(
  ctx: ApplyContext,
  plan: BatchPlan,
  steps: Partial<Steps>,
  since: () => number,
) {
  const service = ctx.stack.services[plan.service] as ServiceSpec;
  const { engine } = ctx;
  const containers = await engine.containers(plan.service);
  if (containers.length === 0) {
    throw new StepFailed(`no container of ${plan.service} to sync into: run 'mkdev up ${plan.service}'`);
  }
  const restarting = plan.action === 'sync+restart';
  // Listed while the files sync: one engine call less on the edit's path.
  const before = containers.map((c) => (restarting ? processesBeforeRestart(engine, c) : undefined));
  await Promise.all([syncFiles(engine, containers, plan), ...before]);
  steps.syncedMs = since();
  if (restarting) {
    // A container that exited (a crash after a bad edit) is started again: the fix gets its chance.
    const timeoutMs = service.ready?.timeoutMs ?? 60_000;
    const kinds = await Promise.all(
      containers.map(async (c, i) => {
        try {
          return await restartServiceProcess(engine, c, { timeoutMs, signal: ctx.signal, before: before[i] });
        } catch (error) {
          if (!(error instanceof ProcessNotReplaced)) throw error;
          throw new StepFailed(error.message, await logTail(engine, c, 40));
        }
      }),
    );
    steps.restartedMs = since();
    steps.restarted = kinds.includes('container') ? 'container' : 'process';
  }
  for (const command of plan.exec) {
    for (const c of containers) {
      const { exitCode, output } = await engine.exec(c, command);
      if (exitCode !== 0)
        throw new StepFailed(`${command.join(' ')} exited with code ${exitCode}`, output.trimEnd());
    }
    steps.execMs = since();
  }
  await waitReady(ctx, service, containers);
  steps.readyMs = since();
}

async function rebuild(ctx: ApplyContext, plan: BatchPlan, steps: Partial<Steps>, since: () => number) {
  // A rebuild is an up of one service: it waits for another up or down of the project, as up does.
  // (Watching itself holds no lock, so this never waits for its own command.)
  const lock = await lockProject(ctx.stack.project, 'watch', { wait: true, signal: ctx.signal });
  try {
    await bringUp({
      stack: ctx.stack,
      engine: ctx.engine,
      host: ctx.host,
      services: [plan.service],
      signal: ctx.signal,
      onEvent: () => {},
    });
  } catch (error) {
    if (ctx.signal.aborted || !(error instanceof UserError)) throw error;
    throw new StepFailed(error.message, error.details);
  } finally {
    lock.release();
  }
  steps.rebuiltMs = since();
  steps.readyMs = since();
}

/**
 * `mkdev run` stopped the service's containers: starting them would put them beside the host
 * process. Synced files are there when they come back; a rebuild happens then (the context changed).
 */
async function syncWhileOnHost(
  ctx: ApplyContext,
  plan: BatchPlan,
  steps: Partial<Steps>,
  since: () => number,
) {
  if (plan.action === 'rebuild') return;
  await syncFiles(ctx.engine, await ctx.engine.containers(plan.service), plan);
  steps.syncedMs = since();
}

export async function applyBatch(ctx: ApplyContext, plan: BatchPlan): Promise<ChangeReport> {
  const t0 = Date.now();
  const since = () => Date.now() - t0;
  const steps: Partial<Steps> = {};
  const base = { service: plan.service, files: plan.files, action: plan.action };
  try {
    if (liveRun(ctx.stack.projectDir, ctx.stack.project, plan.service)) {
      await syncWhileOnHost(ctx, plan, steps, since);
      return { ...base, ok: true, ...steps, skipped: 'runs on the host (mkdev run) until it exits' };
    }
    if (plan.action === 'rebuild') await rebuild(ctx, plan, steps, since);
    else await syncAndRestart(ctx, plan, steps, since);
    return { ...base, ok: true, ...steps };
  } catch (error) {
    if (ctx.signal.aborted) throw error;
    const log = error instanceof StepFailed ? error.log : undefined;
    return { ...base, ok: false, ...steps, error: (error as Error).message, ...(log ? { log } : {}) };
  }
}
