import { type CommandSpec, PROJECT_HELP, PROJECT_OPTIONS } from '../command.ts';

export const spec: CommandSpec = {
  name: 'env',
  summary: 'print the stack endpoints as KEY=VALUE lines for scripts',
  usage: 'mkdev env [--json] [--show-secrets]',
  help: `Prints MKDEV_KONG_PROXY_URL, MKDEV_KONG_ADMIN_URL, MKDEV_CONSUL_URL, MKDEV_RABBITMQ_URL,
MKDEV_RABBITMQ_MANAGEMENT_URL, MKDEV_POSTGRES_URL, MKDEV_PROMETHEUS_URL and any a project adds.
Credentials inside them are shown as *** on a terminal; piped into a script (eval "$(mkdev env)")
or with --show-secrets they are printed in full.

Options:
${PROJECT_HELP}
      --json            one JSON object
      --show-secrets    print credentials even on a terminal`,
  options: { ...PROJECT_OPTIONS, json: { type: 'boolean' }, 'show-secrets': { type: 'boolean' } },
  allowPositionals: false,
};
