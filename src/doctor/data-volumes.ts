// `mkdev doctor`'s look at the data volumes: each existing Postgres or RabbitMQ volume against the image
// its service names, as `up`'s preflight would judge it, and what created it.
import type { Engine } from '../engine/engine.ts';
import { UserError } from '../errors.ts';
import { describeData, inspectDataVolume } from '../platform/data-volumes.ts';
import type { Stack } from '../stack/model.ts';
import { type CheckResult, fail, pass, warn } from './check.ts';

export async function checkDataVolumes(engine: Engine, stack: Stack): Promise<CheckResult[]> {
  const services = Object.values(stack.services).filter((s) => s.volumes.some((v) => v.kind === 'volume'));
  const results = await Promise.all(
    services.map(async (service): Promise<CheckResult | undefined> => {
      const name = `data of ${service.name}`;
      try {
        // Never pulls: doctor only looks.
        const state = await inspectDataVolume(engine.connection, stack.project, service, [], { pull: false });
        if (state === undefined || (state.verdict.ok && state.data === undefined)) return undefined;
        if (!state.verdict.ok)
          return fail(name, `${state.volume}: ${state.verdict.reason}`, state.verdict.fix);
        return pass(name, describeData(state));
      } catch (error) {
        if (!(error instanceof UserError)) throw error;
        return warn(
          name,
          `cannot read ${service.name}'s volume: ${error.message}`,
          `pull ${service.image}, then run doctor again`,
        );
      }
    }),
  );
  return results.filter((r): r is CheckResult => r !== undefined);
}
