import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError } from '../../errors.ts';
import { exportCompose } from '../../export/export-compose.ts';
import { boolFlag, type CommandRun, type ParsedValues, projectRef, stringFlag } from '../command.ts';
import { EXIT_OK } from '../errors.ts';

const FORMATS = ['compose', 'kubernetes'];
const PROXY_TYPES = ['LoadBalancer', 'NodePort'] as const;

export const run: CommandRun = async ({ values, positionals, cwd }) => {
  const [format, ...extra] = positionals;
  if (format === undefined || !FORMATS.includes(format) || extra.length > 0) {
    throw new UsageError(
      format === undefined ? 'export needs a format' : `cannot export '${positionals.join(' ')}'`,
      `formats: ${FORMATS.join(', ')} (mkdev export compose -o compose.yaml, mkdev export kubernetes -o k8s)`,
    );
  }
  if (format === 'kubernetes') return runKubernetes(values, cwd);
  const { yaml, notes, stack } = await exportCompose({ cwd, ...projectRef(values) });
  const output = stringFlag(values, 'output');
  if (output === undefined) {
    process.stdout.write(yaml);
  } else {
    writeFileSync(resolve(cwd, output), yaml, { mode: 0o600 });
    process.stderr.write(
      `mkdev: wrote ${output} (project ${stack.project}, ${Object.keys(stack.services).length} services)\n`,
    );
  }
  for (const note of notes) process.stderr.write(`mkdev: note: ${note}\n`);
  return EXIT_OK;
};

async function runKubernetes(values: ParsedValues, cwd: string): Promise<number> {
  const proxy = stringFlag(values, 'proxy-service-type') ?? 'LoadBalancer';
  if (!(PROXY_TYPES as readonly string[]).includes(proxy)) {
    throw new UsageError(`--proxy-service-type '${proxy}' is not one of ${PROXY_TYPES.join(', ')}`);
  }
  const strings = ['namespace', 'registry', 'storage-class'].map((f) => [f, stringFlag(values, f)] as const);
  const output = stringFlag(values, 'output') ?? 'k8s';
  const { exportKubernetes } = await import('../../export/kubernetes/export-kubernetes.ts');
  const { written, warnings, notes, stack, namespace, images } = await exportKubernetes({
    cwd,
    ...projectRef(values),
    output: resolve(cwd, output),
    ...Object.fromEntries(strings.filter(([, v]) => v !== undefined).map(([f, v]) => [camel(f), v])),
    proxyServiceType: proxy as (typeof PROXY_TYPES)[number],
    build: boolFlag(values, 'build'),
    push: boolFlag(values, 'push'),
    progress: (m) => process.stderr.write(`mkdev: ${m}\n`),
  });
  process.stderr.write(
    `mkdev: wrote ${written.length} files to ${output}/ (project ${stack.project}, namespace ${namespace}, ${Object.keys(stack.services).length} services${images.length > 0 ? `, ${images.length} built images` : ''}); apply with: kubectl apply -k ${output}\n`,
  );
  for (const note of notes) process.stderr.write(`mkdev: note: ${note}\n`);
  for (const warning of warnings) process.stderr.write(`mkdev: warning: ${warning}\n`);
  return EXIT_OK;
}

const camel = (flag: string) => flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
