import { type CommandSpec, PROJECT_HELP, PROJECT_OPTIONS } from '../command.ts';

export const spec: CommandSpec = {
  name: 'export',
  summary: 'write the stack as a Compose file (docker-compose 1.29 and Compose v2)',
  usage: 'mkdev export compose [-o file] [options]',
  help: `Writes the stack mkdev would bring up (default stack, mkdev.yaml, image map, generated
credentials) as a Compose file, with healthchecks from the readiness probes (every second),
depends_on conditions, and mkdev's after-start actions run inside the stack. Without -o it is
printed on stdout. The file contains credentials.

Options:
${PROJECT_HELP}
  -o, --output <file>   write the file here (mode 0600) instead of stdout

Examples:
  mkdev export compose -o compose.yaml && docker-compose -f compose.yaml up -d
  mkdev export compose --images images/offline-image-map.yaml | docker compose -f - config`,
  options: { ...PROJECT_OPTIONS, output: { type: 'string', short: 'o' } },
  allowPositionals: true,
};
