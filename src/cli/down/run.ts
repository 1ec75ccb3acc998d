import { connectEngine } from '../../engine/docker-client.ts';
import { tearDown } from '../../project/tear-down.ts';
import { projectNameFor } from '../../stack/project-name.ts';
import { boolFlag, type CommandRun } from '../command.ts';
import { EXIT_OK } from '../errors.ts';

export const run: CommandRun = async ({ values, cwd }) => {
  // down needs only the project's name: it works even when the stack file no longer parses.
  const project = projectNameFor(values, cwd);
  const docker = await connectEngine();
  const started = Date.now();
  const removed = await tearDown(docker, project, { volumes: boolFlag(values, 'volumes') });
  const parts = [
    `${removed.containers} containers`,
    `${removed.networks} network${removed.networks === 1 ? '' : 's'}`,
  ];
  if (boolFlag(values, 'volumes')) parts.push(`${removed.volumes} volumes`);
  process.stdout.write(
    `${project}: removed ${parts.join(', ')} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
  );
  return EXIT_OK;
};
