// Which services a watch covers: those named (each must have rules), else every one that has rules.
import { UsageError, UserError } from '../errors.ts';
import type { ServiceSpec, Stack } from '../stack/model.ts';

export function watchedServices(stack: Stack, names: readonly string[]): ServiceSpec[] {
  for (const name of names) {
    const service = stack.services[name];
    if (service === undefined) {
      throw new UsageError(
        `no service '${name}' in this stack`,
        `services are: ${Object.keys(stack.services).join(', ')}`,
      );
    }
    if (service.watch.length === 0) {
      throw new UserError(`service '${name}' has no watch rules`, {
        hint: `add develop.watch rules to ${name} in mkdev.yaml (see docs/daily-loop.md in mkdev)`,
      });
    }
  }
  const chosen =
    names.length > 0 ? names.map((n) => stack.services[n] as ServiceSpec) : Object.values(stack.services);
  const watched = chosen.filter((s) => s.watch.length > 0);
  if (watched.length === 0) {
    throw new UserError('no service has watch rules', {
      hint: "services from 'mkdev new-service' come with them; others need develop.watch in mkdev.yaml",
    });
  }
  return watched;
}
