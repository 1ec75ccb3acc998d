// Who holds each role, read from the merged stack files before the services are resolved: a role given
// to two services is an error at both places (file:line), as the other stack-file errors are.
import { UserError } from '../errors.ts';
import type { Role } from './roles.ts';
import type { ServiceFile } from './schema.ts';

export type RoleHolders = Readonly<Partial<Record<Role, string>>>;

export interface MergedService {
  readonly service: ServiceFile;
  /** file:line of the service's entry. */
  readonly source: string;
  /** file:line of the `role:` that gave the service its role. */
  readonly roleSource?: string;
}

export function roleHolders(merged: ReadonlyMap<string, MergedService>): RoleHolders {
  const holders: Partial<Record<Role, { name: string; at: string }>> = {};
  for (const [name, { service, source, roleSource }] of merged) {
    if (service.disabled || service.role === undefined) continue;
    const role = service.role as Role;
    const at = roleSource ?? source;
    const first = holders[role];
    if (first) {
      throw new UserError(
        `${at}: role '${role}' is given to both '${first.name}' (${first.at}) and '${name}'`,
        {
          hint: `one service per role: remove one of the two \`role: ${role}\` lines, or disable the default stack's '${first.name}' with \`${first.name}: { disabled: true }\``,
        },
      );
    }
    holders[role] = { name, at };
  }
  return Object.fromEntries(Object.entries(holders).map(([role, h]) => [role, h.name]));
}
