// Preflight for data: a Postgres or RabbitMQ container about to start over an existing volume must be
// able to open it. A new Postgres major cannot open an older data directory at all, and RabbitMQ opens
// only the series its upgrade table names; either would fail (or, for a downgrade, damage) after
// everything else had started. So `up` refuses first, naming both versions and the way forward.
import type { Engine } from '../engine/engine.ts';
import type { ObservedState } from '../engine/observed-state.ts';
import { UserError } from '../errors.ts';
import type { Plan } from '../plan/plan.ts';
import type { ServicePlan } from '../plan/service-plan.ts';
import { inspectDataVolume } from '../platform/data-volumes.ts';

/** A problem as preflight reports it (preflight.ts's Problem; not imported, preflight imports this file). */
interface DataProblem {
  readonly service: string;
  readonly field: string;
  readonly message: string;
  readonly fix: string;
}

/** Steps that put a container (new, or stopped until now) over the service's volumes. */
function opensVolumes(sp: ServicePlan): boolean {
  return sp.steps.some((s) => s.kind === 'create' || s.kind === 'recreate' || s.kind === 'start');
}

export async function dataVolumeProblems(
  engine: Engine,
  plan: Plan,
  observed: ObservedState,
): Promise<DataProblem[]> {
  const checks = Object.values(plan.services)
    .filter((sp) => opensVolumes(sp) && sp.service.volumes.some((v) => v.kind === 'volume'))
    .map(async (sp): Promise<DataProblem | undefined> => {
      const readers = oldImages(observed, sp.service.name);
      const state = await inspectDataVolume(engine.connection, plan.project, sp.service, readers).catch(
        // No image to read the volume with, and the service's own cannot be pulled: preflight's image
        // check reports that image already.
        (error: unknown) => {
          if (error instanceof UserError) return undefined;
          throw error;
        },
      );
      if (state === undefined || state.verdict.ok) return undefined;
      return {
        service: sp.service.name,
        field: state.field,
        message: `volume ${state.volume}: ${state.verdict.reason}`,
        fix: state.verdict.fix,
      };
    });
  return (await Promise.all(checks)).filter((p): p is DataProblem => p !== undefined);
}

/** The images of the service's existing containers: on the engine, so they can serve to read its volume. */
function oldImages(observed: ObservedState, service: string): string[] {
  return observed.containers.flatMap((c) => (c.service === service && c.image ? [c.image] : []));
}
