// Checks made before anything starts, so a predictable failure leaves nothing half-started.
import type Docker from 'dockerode';
import { isPortFree, portHolder } from '../engine/host-ports.ts';
import { UserError } from '../errors.ts';
import type { ObservedState } from '../plan/observe.ts';
import type { Plan } from '../plan/plan.ts';

export async function checkHostPorts(docker: Docker, plan: Plan, observed: ObservedState): Promise<void> {
  const ownPorts = new Set(observed.containers.flatMap((c) => Object.values(c.ports)));
  const checks: Promise<void>[] = [];
  for (const sp of Object.values(plan.services)) {
    const starting = sp.steps.some(
      (s) => s.replica === 1 && (s.kind === 'create' || s.kind === 'recreate' || s.kind === 'start'),
    );
    if (!starting) continue;
    for (const p of sp.service.ports) {
      if (p.published === 0 || p.protocol !== 'tcp' || ownPorts.has(p.published)) continue;
      checks.push(
        (async () => {
          if (await isPortFree(p.published, p.hostIp)) return;
          const holder = await portHolder(docker, p.published);
          throw new UserError(
            `${sp.service.name}: host port ${p.hostIp}:${p.published} is already in use${holder ? ` by ${holder}` : ''}`,
            {
              hint: `free port ${p.published}, or move it: set the MKDEV_*_PORT variable named in the stack file, or override 'ports:' for ${sp.service.name} in mkdev.yaml`,
            },
          );
        })(),
      );
    }
  }
  await Promise.all(checks);
}
