// What every stack-facing command starts with: the stack from its files, and an engine that answers.
import { engineHost } from '../engine/docker-client.ts';
import { openEngine } from '../engine/docker-connection.ts';
import type { Engine } from '../engine/engine.ts';
import { UsageError, UserError } from '../errors.ts';
import { repairHostRuns } from '../host-run/repair.ts';
import type { Stack } from '../stack/model.ts';
import { loadStackCached } from '../stack/stack-cache.ts';
import type { ProjectRef } from '../stack/stack-files.ts';

export interface OpenProject {
  readonly stack: Stack;
  /** The project's engine. */
  readonly engine: Engine;
  readonly host: string;
  /** Replaces every generated secret in a text with ***, unless the user asked to see them. */
  readonly mask: (text: string) => string;
}

export function masker(secrets: readonly string[], show: boolean): (text: string) => string {
  if (show || secrets.length === 0) return (t) => t;
  return (text) => secrets.reduce((t, s) => (s === '' ? t : t.split(s).join('***')), text);
}

/**
 * A user error as it will be printed, masked: a failure's message and log tail may hold a credential
 * (a service that logs its connection string, a probe's answer). Other errors pass as they are.
 */
export function maskedError(error: unknown, mask: (text: string) => string): unknown {
  if (!(error instanceof UserError)) return error;
  const hint = error.hint === undefined ? undefined : mask(error.hint);
  if (error instanceof UsageError) return new UsageError(mask(error.message), hint);
  return new UserError(mask(error.message), {
    ...(error.details === undefined ? {} : { details: mask(error.details) }),
    ...(hint === undefined ? {} : { hint }),
    cause: error,
  });
}

/**
 * The stack named by the common flags (-p, -f, --images), and an engine. New secrets are not written
 * here: only a successful preflight of `up` writes them (stack.saveSecrets), so reading commands and
 * failed runs leave no .mkdev/secrets.json behind.
 */
export async function openProject(
  ref: ProjectRef,
  cwd: string,
  options: { readonly showSecrets?: boolean; readonly changeNothing?: boolean } = {},
): Promise<OpenProject> {
  // The engine's ping travels while the stack is read and validated (CPU). The stack's errors still come
  // first; an engine error then waits for its turn.
  const connecting = openEngine();
  connecting.catch(() => {});
  const stack = await loadStackCached({ ...ref, cwd, deferSecrets: true }, jitlessZod);
  const engine = (await connecting).project(stack.project);
  // Every invocation cleans up after throwaway stacks whose test process died (see engine/owner.ts),
  // and after `mkdev run`s killed before they could restore their containers; a dry run leaves both.
  // The reaping goes on beside the command: it touches only other, dead stacks, so nothing here waits
  // on it, and the process ends only once its requests have (a failure is left for the next command).
  // The repair touches this project, so the command waits for it (it calls the engine only when a
  // record of a dead `mkdev run` is on file).
  if (!options.changeNothing) {
    engine.connection.reapOrphans().catch(() => {});
    await repairRuns(engine, stack);
  }
  const mask = masker(stack.secrets, options.showSecrets === true);
  return { stack, engine, host: engineHost(), mask };
}

// A command validates its stack once: zod's compiled object parsers (generated with new Function on
// first use) cost more to compile than they save on one parse (~25 ms of CPU per command, measured).
// Set in the CLI's own process, not in the library: zod's config is global to whoever imports it.
// Only before a full load: a stack from the cache is not validated again, and zod stays unloaded.
async function jitlessZod(): Promise<void> {
  (await import('zod')).config({ jitless: true });
}

async function repairRuns(engine: Engine, stack: Stack): Promise<void> {
  for (const service of await repairHostRuns(engine, stack)) {
    process.stderr.write(`mkdev: repaired ${service}: an earlier 'mkdev run' ended without restoring it\n`);
  }
}
