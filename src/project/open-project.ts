// What every stack-facing command starts with: the stack from its files, and an engine that answers.
import type Docker from 'dockerode';
import { type ParsedValues, stringFlag } from '../cli/command.ts';
import { connectEngine } from '../engine/docker-client.ts';
import { engineHost } from '../engine/names.ts';
import { reapOrphans } from '../engine/reap.ts';
import { loadStack } from '../stack/load-stack.ts';
import type { Stack } from '../stack/model.ts';

export interface OpenProject {
  readonly stack: Stack;
  readonly docker: Docker;
  readonly host: string;
  /** Replaces every generated secret in a text with ***, unless the user asked to see them. */
  readonly mask: (text: string) => string;
}

export function masker(secrets: readonly string[], show: boolean): (text: string) => string {
  if (show || secrets.length === 0) return (t) => t;
  return (text) => secrets.reduce((t, s) => (s === '' ? t : t.split(s).join('***')), text);
}

/**
 * The stack named by the common flags (-p, -f, --images). New secrets are not written here: only a
 * successful preflight of `up` writes them (stack.saveSecrets), so reading commands and failed runs
 * leave no .mkdev/secrets.json behind.
 */
export function loadStackFromFlags(values: ParsedValues, cwd: string): Promise<Stack> {
  const project = stringFlag(values, 'project');
  const file = stringFlag(values, 'file');
  const images = stringFlag(values, 'images');
  return loadStack({
    cwd,
    ...(project ? { project } : {}),
    ...(file ? { file } : {}),
    ...(images ? { images } : {}),
    deferSecrets: true,
  });
}

export async function openProject(values: ParsedValues, cwd: string): Promise<OpenProject> {
  const stack = await loadStackFromFlags(values, cwd);
  const docker = await connectEngine();
  // Every invocation cleans up after throwaway stacks whose test process died (see engine/owner.ts).
  await reapOrphans(docker);
  return { stack, docker, host: engineHost(), mask: masker(stack.secrets, values['show-secrets'] === true) };
}
