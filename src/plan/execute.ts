// The plan executor: every service is a task that waits for exactly what it depends on, so the graph
// runs as parallel as it allows. On failure, what this run started is stopped gracefully (labelled, so
// the next run carries on) and volumes are kept: nothing half-started, nothing lost. On Ctrl-C mkdev
// stops waiting but leaves containers running: killing a database during its first initialisation
// corrupts its volume (seen with Postgres' initdb), and the next `up` simply carries on.
import type Docker from 'dockerode';
import { logTail, probeTargetFor, whyDead } from '../engine/container-ops.ts';
import { containerCreateOptions } from '../engine/container-spec.ts';
import { ensureImage } from '../engine/ensure-image.ts';
import { LABEL } from '../engine/labels.ts';
import { volumeName } from '../engine/names.ts';
import { ensureNetwork, ensureVolume } from '../engine/network.ts';
import { InterruptedError, UpstreamFailedError, UserError } from '../errors.ts';
import { clearCompletionFlags, runAction } from '../platform/actions.ts';
import { allOf } from '../readiness/create-probe.ts';
import type { ProbeTarget } from '../readiness/probe.ts';
import { waitUntilReady } from '../readiness/wait-until-ready.ts';
import type { EventSink, ServiceTimeline, StepName } from './events.ts';
import { Milestones } from './milestones.ts';
import type { ContainerStep, Plan, ServicePlan } from './plan.ts';
import { explainStartError } from './start-errors.ts';

/** Compose's default: enough for a database to finish initialising or shut down cleanly. */
const STOP_GRACE_SECONDS = 10;

export interface ExecuteOptions {
  readonly docker: Docker;
  readonly plan: Plan;
  readonly host: string;
  readonly signal: AbortSignal;
  readonly onEvent: EventSink;
  readonly extraLabels?: Readonly<Record<string, string>>;
}

export interface ExecutionResult {
  readonly timeline: Readonly<Record<string, ServiceTimeline>>;
  readonly targets: ReadonlyMap<string, ProbeTarget>;
}

export async function executePlan(options: ExecuteOptions): Promise<ExecutionResult> {
  const { docker, plan, host } = options;
  const names = Object.keys(plan.services);
  const milestones = new Milestones(names);
  const timeline: Record<string, ServiceTimeline> = Object.fromEntries(names.map((n) => [n, {}]));
  const targets = new Map<string, ProbeTarget>();
  const startedThisRun: Docker.Container[] = [];
  const internal = new AbortController();
  const signal = AbortSignal.any([options.signal, internal.signal]);
  const t0 = Date.now();
  const emit = (service: string, step: StepName, message: string) =>
    options.onEvent({ service, step, message, at: Date.now() - t0 });
  const since = () => Date.now() - t0;

  const infra = (async () => {
    const labels = { ...options.extraLabels };
    await ensureNetwork(docker, plan.project, labels);
    await Promise.all(
      plan.createVolumes.map((v) => ensureVolume(docker, plan.project, volumeName(plan.project, v), labels)),
    );
  })();
  const images = new Map<string, Promise<void>>();

  const applyStep = async (sp: ServicePlan, step: ContainerStep): Promise<Docker.Container | undefined> => {
    const name = sp.service.name;
    if (step.kind === 'remove') {
      emit(name, 'remove', `removing replica ${step.replica} (${step.reason})`);
      await docker.getContainer(step.containerId).remove({ force: true, v: true });
      return undefined;
    }
    if (step.kind === 'keep') {
      emit(name, 'kept', step.completed ? 'completed earlier, unchanged' : 'running, unchanged');
      return docker.getContainer(step.containerId);
    }
    let container: Docker.Container;
    if (step.kind === 'start') {
      container = docker.getContainer(step.containerId);
      emit(name, 'start', 'starting existing container');
    } else {
      if (step.kind === 'recreate') {
        emit(name, 'recreate', `recreating (${step.reason})`);
        await docker.getContainer(step.containerId).remove({ force: true, v: true });
      } else {
        emit(name, 'create', 'creating');
      }
      container = await docker.createContainer(
        containerCreateOptions(sp.service, {
          project: plan.project,
          network: `mkdev-${plan.project}`,
          replica: step.replica,
          configHash: sp.configHash,
          ...(options.extraLabels ? { extraLabels: options.extraLabels } : {}),
        }),
      );
    }
    signal.throwIfAborted();
    try {
      await container.start();
    } catch (error) {
      throw explainStartError(error, sp.service);
    }
    startedThisRun.push(container);
    return container;
  };

  const runService = async (sp: ServicePlan) => {
    const name = sp.service.name;
    const ms = milestones.of(name);
    const tl = timeline[name] as ServiceTimeline;
    tl.imageStart = since();
    let image = images.get(sp.service.image);
    if (image === undefined) {
      image = ensureImage(docker, sp, (step, message) => emit(name, step, message), signal, {
        [LABEL.project]: plan.project,
        ...options.extraLabels,
      });
      images.set(sp.service.image, image);
    }
    await Promise.all([image, infra]);
    tl.imageEnd = since();
    const deps = Object.entries(sp.service.dependsOn);
    if (deps.length > 0) {
      emit(name, 'waiting', `waiting for ${deps.map(([d, c]) => `${d} (${c})`).join(', ')}`);
      await Promise.all(deps.map(([dep, condition]) => milestones.wait(dep, condition)));
    }
    signal.throwIfAborted();
    const reruns = sp.service.oneShot && !sp.steps.every((s) => s.kind === 'keep' && s.completed);
    if (reruns && sp.service.afterCompleted.length > 0) {
      // The job's completion flag must not outlive a run that has not completed yet: whatever waits
      // for it (Kong's entrypoint) would start against a database the job has not migrated.
      emit(
        name,
        'action',
        await clearCompletionFlags(sp.service.afterCompleted, { milestones, targets, signal }),
      );
    }
    tl.startAt = since();
    const containers = (await Promise.all(sp.steps.map((step) => applyStep(sp, step)))).filter(
      (c): c is Docker.Container => c !== undefined,
    );
    const first = containers[0];
    if (first) targets.set(name, await probeTargetFor(first, host));
    tl.startedAt = since();
    ms.started.resolve();

    if (sp.service.oneShot) {
      const completedEarlier = sp.steps.every((s) => s.kind === 'keep' && s.completed);
      if (!completedEarlier) {
        emit(name, 'probe', 'running to completion');
        await Promise.all(containers.map((c) => waitForExit(c, name, signal)));
      }
      for (const action of sp.service.afterCompleted) {
        emit(name, 'action', `${action.kind} (waiting for its target)`);
        emit(name, 'action', await runAction(action, { milestones, targets, signal }));
      }
      tl.readyAt = since();
      emit(name, 'completed', completedEarlier ? 'completed earlier' : 'completed');
      ms.completed.resolve();
      ms.ready.resolve();
      return;
    }
    const ready = sp.service.ready;
    if (ready) {
      const probe = allOf(ready.probes);
      emit(name, 'probe', `waiting for ${probe.description}`);
      await Promise.all(
        containers.map(async (c) =>
          waitUntilReady(probe, withPeers(await probeTargetFor(c, host), targets), {
            intervalMs: ready.intervalMs,
            timeoutMs: ready.timeoutMs,
            signal,
            whyDead: () => whyDead(c),
          }).catch(async (error: unknown) => {
            if (signal.aborted) throw error;
            throw new UserError(`${name}: ${(error as Error).message}`, {
              details: `last log lines of ${name}:\n${await logTail(c)}`,
              hint: `see everything with 'mkdev logs ${name}'`,
            });
          }),
        ),
      );
    }
    for (const action of sp.service.afterReady) {
      emit(name, 'action', await runAction(action, { milestones, targets, signal, self: name }));
    }
    tl.readyAt = since();
    emit(name, 'ready', 'ready');
    ms.ready.resolve();
  };

  const failures: unknown[] = [];
  await Promise.all(
    Object.values(plan.services).map((sp) =>
      runService(sp).catch((error: unknown) => {
        milestones.fail(sp.service.name);
        if (error instanceof UpstreamFailedError || signal.aborted) {
          emit(
            sp.service.name,
            'cancelled',
            error instanceof UpstreamFailedError ? `not started: ${error.message}` : 'cancelled',
          );
          if (!signal.aborted) internal.abort();
          return;
        }
        emit(sp.service.name, 'failed', error instanceof Error ? error.message : String(error));
        failures.push(error);
        internal.abort();
      }),
    ),
  );
  if (failures.length > 0) {
    // Stop what this run started, with time to shut down cleanly; keep it (labelled) so logs stay
    // readable and the next `up` carries on.
    await Promise.all(startedThisRun.map((c) => c.stop({ t: STOP_GRACE_SECONDS }).catch(() => {})));
    throw failures[0];
  }
  if (options.signal.aborted) throw new InterruptedError();
  return { timeline, targets };
}

/** Probes through another service (Kong's proxy) reach it where this run started it. */
function withPeers(target: ProbeTarget, targets: ReadonlyMap<string, ProbeTarget>): ProbeTarget {
  return { ...target, peer: (service) => targets.get(service) };
}

async function waitForExit(container: Docker.Container, service: string, signal: AbortSignal): Promise<void> {
  const aborted = new Promise<never>((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
  aborted.catch(() => {});
  const { StatusCode } = (await Promise.race([container.wait(), aborted])) as { StatusCode: number };
  if (StatusCode !== 0) {
    throw new UserError(`${service} failed: the job exited with code ${StatusCode}`, {
      details: `last log lines of ${service}:\n${await logTail(container)}`,
      hint: `see everything with 'mkdev logs ${service}'; fix the cause and run 'mkdev up' again (the job re-runs)`,
    });
  }
}
