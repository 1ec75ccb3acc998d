import { basename } from 'node:path';
import { sanitizeProjectName } from '../../stack/load-stack.ts';
import { writeProjectFile } from '../../stack/project-file.ts';
import { type CommandRun, stringFlag } from '../command.ts';
import { EXIT_OK } from '../errors.ts';

export const run: CommandRun = async ({ values, cwd }) => {
  const name = sanitizeProjectName(stringFlag(values, 'name') ?? basename(cwd));
  const file = writeProjectFile(cwd, name);
  process.stdout.write(
    `wrote ${file}\nnext: 'mkdev up' brings the stack up; 'mkdev new-service <name>' adds a service\n`,
  );
  return EXIT_OK;
};
