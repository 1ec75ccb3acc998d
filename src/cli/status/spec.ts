import { type CommandSpec, PROJECT_HELP, PROJECT_OPTIONS } from '../command.ts';

export const spec: CommandSpec = {
  name: 'status',
  summary: 'show each service: state, readiness, drift and ports',
  usage: 'mkdev status [--json]',
  help: `Exit code 0 when every service is running and ready (jobs completed), 1 otherwise.

Options:
${PROJECT_HELP}
      --json            machine-readable output
      --show-secrets    with --json, print the endpoints' credentials instead of ***`,
  options: { ...PROJECT_OPTIONS, json: { type: 'boolean' }, 'show-secrets': { type: 'boolean' } },
  allowPositionals: false,
};
