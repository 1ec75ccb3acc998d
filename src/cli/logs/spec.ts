import { type CommandSpec, PROJECT_HELP, PROJECT_OPTIONS } from '../command.ts';

export const spec: CommandSpec = {
  name: 'logs',
  summary: "show the services' logs, prefixed per service",
  usage: 'mkdev logs [services...] [-f] [--since 10m] [--tail 100]',
  help: `Options:
${PROJECT_HELP.replace('-f, --file', '    --file')}
  -f, --follow          keep printing new lines until Ctrl-C (here -f is --follow, as in docker logs)
      --since <when>    only lines since a duration ago (30s, 10m, 2h) or a timestamp
      --tail <n>        only the last n lines of each service (or 'all')`,
  options: {
    ...PROJECT_OPTIONS,
    // -f follows here, as in `docker logs -f`; the project file is --file.
    file: { type: 'string' },
    follow: { type: 'boolean', short: 'f' },
    since: { type: 'string' },
    tail: { type: 'string' },
  },
  allowPositionals: true,
};
