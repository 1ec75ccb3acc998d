import type { CommandSpec } from '../command.ts';

export const spec: CommandSpec = {
  name: 'init',
  summary: 'write a commented mkdev.yaml for a new project',
  usage: 'mkdev init [--name <project>]',
  help: `Writes ./mkdev.yaml, which layers on the default stack. Refuses to overwrite an existing one.

Options:
      --name <project>  the project name (default: the directory name)`,
  options: { name: { type: 'string' } },
  allowPositionals: false,
};
