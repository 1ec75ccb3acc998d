import { openEngine } from '../../engine/docker-connection.ts';
import { UsageError } from '../../errors.ts';
import { tearDown } from '../../project/tear-down.ts';
import { projectNameFor } from '../../stack/project-name.ts';
import { boolFlag, type CommandRun, projectRef, stringFlag } from '../command.ts';
import { EXIT_OK } from '../errors.ts';
import { withProjectLock } from '../with-lock.ts';

export const run: CommandRun = async ({ values, cwd, signal }) => {
  // down needs only the project's name: it works even when the stack file no longer parses.
  const project = await projectNameFor(projectRef(values), cwd);
  const timeout = stringFlag(values, 'timeout') ?? '10';
  if (!/^\d+$/.test(timeout))
    throw new UsageError(
      `--timeout takes whole seconds, not '${timeout}'`,
      'e.g. -t 0 (kill at once) or -t 30',
    );
  const engine = (await openEngine()).project(project);
  const started = Date.now();
  const removed = await withProjectLock(project, 'down', { values, signal }, () =>
    tearDown(engine, {
      volumes: boolFlag(values, 'volumes'),
      images: boolFlag(values, 'images'),
      stopTimeoutSeconds: Number(timeout),
    }),
  );
  const parts = [
    `${removed.containers} containers`,
    `${removed.networks} network${removed.networks === 1 ? '' : 's'}`,
  ];
  if (boolFlag(values, 'volumes')) parts.push(`${removed.volumes} volumes`);
  if (boolFlag(values, 'images')) parts.push(`${removed.images} built images`);
  process.stdout.write(
    `${project}: removed ${parts.join(', ')} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
  );
  for (const name of removed.stuckNetworks) {
    process.stderr.write(
      `warning: the engine would not remove the network ${name}: it still counts an endpoint though no container is attached (an engine fault); 'mkdev up' reuses it, and restarting the engine clears it\n`,
    );
  }
  return EXIT_OK;
};
