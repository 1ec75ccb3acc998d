import { join, relative } from 'node:path';
import { UsageError } from '../../errors.ts';
import { enginesNode, mismatchMessage, nodeMismatch, onPath } from '../../host-run/host-node.ts';
import { newService } from '../../scaffold/new-service.ts';
import { DEFAULT_PLATFORM_NAMES, type PlatformNames } from '../../scaffold/project-yaml.ts';
import { parsePortFlag } from '../../scaffold/service-name.ts';
import { loadStack } from '../../stack/load-stack.ts';
import { projectNameFor } from '../../stack/project-name.ts';
import { serviceWithRole } from '../../stack/roles.ts';
import { type CommandRun, projectRef, stringFlag } from '../command.ts';
import { EXIT_OK } from '../errors.ts';
import { withProjectLock } from '../with-lock.ts';

/**
 * Who plays the roles the new service talks to, read from the project's stack (a renamed gateway is
 * reached by its name). Nothing is written: new secrets wait for `up`.
 */
async function platformNames(cwd: string): Promise<PlatformNames> {
  const stack = await loadStack({ cwd, deferSecrets: true });
  const name = (role: keyof PlatformNames) =>
    serviceWithRole(stack, role)?.name ?? DEFAULT_PLATFORM_NAMES[role];
  return {
    gateway: name('gateway'),
    discovery: name('discovery'),
    broker: name('broker'),
    traces: name('traces'),
  };
}

export const run: CommandRun = async ({ values, positionals, cwd, signal }) => {
  if (positionals.length !== 1) {
    throw new UsageError(
      positionals.length === 0
        ? 'missing the service name'
        : `expected one service name, got ${positionals.length}`,
      'usage: mkdev new-service <name> [--lang ts|python|go] [--path /<name>] [--port 8080]',
    );
  }
  const name = positionals[0] ?? '';
  const portText = stringFlag(values, 'port');
  const language = stringFlag(values, 'lang');
  const routePath = stringFlag(values, 'path');
  // The mkdev.yaml edit is a write to the project: not while an up or down of it runs.
  const project = await projectNameFor(projectRef(values), cwd);
  const platform = await platformNames(cwd);
  const result = await withProjectLock(project, 'new-service', { values, signal }, async () =>
    newService({
      projectDir: cwd,
      name,
      platform,
      ...(language === undefined ? {} : { language }),
      ...(routePath === undefined ? {} : { routePath }),
      ...(portText === undefined ? {} : { port: parsePortFlag(portText) }),
    }),
  );
  const dir = relative(cwd, result.serviceDir);
  const yaml = relative(cwd, result.projectFile);
  const test = {
    ts: 'npm install && npm test',
    python: 'python3 -m unittest discover -s tests -t .',
    go: 'go vet ./... && go test ./...',
  }[result.language];
  process.stdout.write(
    `wrote ${dir}/ (${result.language}, ${result.files.length} files)\n` +
      `${result.createdProjectFile ? 'created' : 'updated'} ${yaml}: service '${name}', route ${result.routePath} -> port ${result.port}\n\n` +
      `next:\n` +
      `  mkdev up                                  build it and start it with the stack\n` +
      `  eval "$(mkdev env)"\n` +
      `  curl "$MKDEV_KONG_PROXY_URL${result.routePath}"            through Kong\n` +
      `  curl -X POST -H 'content-type: application/json' -d '{"email":"ana@example.com","name":"Ana"}' \\\n` +
      `       "$MKDEV_KONG_PROXY_URL${result.routePath}/verifications"\n` +
      `  curl "$MKDEV_KONG_PROXY_URL${result.routePath}/verifications"\n` +
      `  (cd ${dir} && ${test})   its unit tests\n` +
      `see ${dir}/README.md for what it does and how it registers\n`,
  );
  if (result.language === 'ts') {
    const warning = await hostNodeWarning(join(result.serviceDir, 'package.json'), `${dir}/package.json`);
    if (warning) process.stderr.write(warning);
  }
  return EXIT_OK;
};

/** The service runs in its container whatever the host has; `mkdev run` and its tests need the host's Node. */
async function hostNodeWarning(packageJson: string, shown: string): Promise<string | undefined> {
  const range = enginesNode(packageJson);
  const node = onPath('node', process.env.PATH);
  if (range === undefined || node === undefined) return undefined;
  const mismatch = await nodeMismatch(node, range).catch(() => undefined);
  if (mismatch === undefined) return undefined;
  const { message, hint } = mismatchMessage(mismatch, shown);
  return `\nwarning: ${message}: 'mkdev run' and its tests need it on the host (its container has it)\nhint: ${hint}\n`;
}
