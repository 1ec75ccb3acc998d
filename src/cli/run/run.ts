import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { UsageError } from '../../errors.ts';
import { hostRun } from '../../host-run/host-run.ts';
import { type CommandRun, projectRef, stringFlag } from '../command.ts';
import { openProject } from '../open-project.ts';

export const run: CommandRun = async ({ values, positionals, cwd, signal }) => {
  const [service, ...command] = positionals;
  if (service === undefined)
    throw new UsageError('run: missing the service name', 'mkdev run <service> -- <command...>');
  if (command.length === 0) {
    throw new UsageError(
      `run: missing the command to run as ${service}`,
      `e.g. mkdev run ${service} -- node src/main.ts`,
    );
  }
  // A debugger starts in the service's directory: the project is the nearest mkdev.yaml above it.
  const file = stringFlag(values, 'file') ?? nearestProjectFile(cwd);
  const { stack, engine, host } = await openProject(
    { ...projectRef(values), ...(file ? { file } : {}) },
    cwd,
  );
  return hostRun({
    stack,
    engine,
    host,
    service,
    command,
    cwd,
    signal,
    // Bring-up's progress would interleave with the process's own output: mkdev says only what changes.
    onEvent: () => {},
    log: (line) => process.stderr.write(`mkdev: ${line}\n`),
  });
};

function nearestProjectFile(cwd: string): string | undefined {
  for (let dir = cwd; ; dir = dirname(dir)) {
    const file = join(dir, 'mkdev.yaml');
    if (existsSync(file)) return file;
    if (dirname(dir) === dir) return undefined;
  }
}
