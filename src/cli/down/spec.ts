import { type CommandSpec, PROJECT_HELP, PROJECT_OPTIONS } from '../command.ts';

export const spec: CommandSpec = {
  name: 'down',
  summary: "stop and remove the project's containers and network (and volumes with --volumes)",
  usage: 'mkdev down [--volumes]',
  help: `Removes only resources labelled as this project's. Data volumes are kept unless --volumes is given.

Options:
${PROJECT_HELP}
  -v, --volumes         also remove the project's volumes (its data)`,
  options: { ...PROJECT_OPTIONS, volumes: { type: 'boolean', short: 'v' } },
  allowPositionals: false,
};
