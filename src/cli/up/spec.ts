import { type CommandSpec, PROJECT_HELP, PROJECT_OPTIONS } from '../command.ts';
import { NO_WAIT_HELP } from '../with-lock.ts';

export const spec: CommandSpec = {
  name: 'up',
  summary: 'bring the stack up and wait until every service is ready',
  usage: 'mkdev up [services...] [options]',
  help: `Creates what is missing, recreates what changed, starts what stopped, leaves the rest alone, and
returns once every service is ready. The stack keeps running afterwards. Checks what it can first
(build contexts, bind-mount sources, images, host ports) and reports every problem before creating
anything. One up/down of a project runs at a time: a second one waits, then finds the stack ready.

Options:
${PROJECT_HELP}
  -d, --detach          accepted for Compose habits; up always returns once ready
      --attach          follow the services' logs after they are ready (Ctrl-C stops following)
      --watch           then watch the services' files and sync changes (see 'mkdev watch --help')
      --pull <when>     pull images: missing (default: those the engine lacks), always, or never
                        (a missing image then fails before anything is created); see 'mkdev pull'
      --dry-run         print the plan (each operation, why, and what it comes after) and change nothing
      --json            NDJSON events on stdout, then one summary object (with --dry-run: the plan)
      --show-secrets    print generated credentials instead of ***
${NO_WAIT_HELP}

Examples:
  mkdev up
  mkdev up --dry-run
  mkdev up --pull always
  mkdev up kong --images images/offline-image-map.yaml`,
  options: {
    ...PROJECT_OPTIONS,
    detach: { type: 'boolean', short: 'd' },
    attach: { type: 'boolean' },
    watch: { type: 'boolean' },
    pull: { type: 'string' },
    'dry-run': { type: 'boolean' },
    json: { type: 'boolean' },
    'show-secrets': { type: 'boolean' },
    'no-wait': { type: 'boolean' },
  },
  allowPositionals: true,
};
