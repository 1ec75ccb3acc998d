import { openEngine } from '../../engine/docker-connection.ts';
import type { CommandRun } from '../command.ts';
import { EXIT_OK } from '../errors.ts';

export const run: CommandRun = async () => {
  const reaped = await (await openEngine()).reapOrphans({ allImages: true });
  process.stdout.write(
    reaped.projects.length === 0
      ? 'nothing to prune\n'
      : `removed ${reaped.containers} containers, ${reaped.networks} networks, ${reaped.volumes} volumes of ${reaped.projects.join(', ')}\n`,
  );
  return EXIT_OK;
};
