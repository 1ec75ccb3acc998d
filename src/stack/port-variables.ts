// The variables that move the default stack's host ports (`${MKDEV_KONG_ADMIN_PORT:-8001}` ...), read
// from the stack file itself so callers never keep their own list.
import { readFileSync } from 'node:fs';
import { DEFAULT_STACK_FILE } from './load-stack.ts';

export function hostPortVariables(stackFile = DEFAULT_STACK_FILE): string[] {
  const text = readFileSync(stackFile, 'utf8');
  return [...new Set([...text.matchAll(/\$\{(MKDEV_[A-Z_]+_PORT):-\d+\}/g)].map((m) => m[1] as string))];
}

/** Every default host port moved to one the engine picks: stacks then run side by side. */
export function freeHostPortsEnv(): Record<string, string> {
  return Object.fromEntries(hostPortVariables().map((name) => [name, '0']));
}
