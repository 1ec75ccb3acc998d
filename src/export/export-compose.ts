// `mkdev export compose` as a function: the stack as loadStack resolves it, written as a Compose file.
import { type LoadStackOptions, loadStack } from '../stack/load-stack.ts';
import type { Stack } from '../stack/model.ts';
import { stackToCompose } from './compose-file.ts';
import { renderComposeYaml } from './render-yaml.ts';

export interface ComposeText {
  readonly stack: Stack;
  readonly yaml: string;
  readonly notes: readonly string[];
}

function composeText(stack: Stack): ComposeText {
  const { file, notes } = stackToCompose(stack);
  const header = [
    `Compose file for the mkdev project '${stack.project}', written by \`mkdev export compose\`.`,
    'It holds the generated credentials: keep it out of version control.',
    `Run: docker-compose -p ${stack.project} -f <this file> up -d (Compose v2: docker compose ...)`,
    'Healthchecks mirror mkdev readiness probes, polled every second.',
    ...(notes.length > 0 ? ['', 'Differences from `mkdev up`:', ...notes.map((n) => `- ${n}`)] : []),
  ];
  return { stack, yaml: renderComposeYaml(file, header), notes };
}

export async function exportCompose(options: LoadStackOptions): Promise<ComposeText> {
  return composeText(await loadStack(options));
}
