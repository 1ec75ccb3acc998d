import { type CommandSpec, PROJECT_HELP, PROJECT_OPTIONS } from '../command.ts';

export const spec: CommandSpec = {
  name: 'routes',
  summary: 'Kong routes -> service -> Consul instances -> health',
  usage: 'mkdev routes [--check] [--json]',
  help: `Lists every Kong route with its service, the Consul instances behind '<name>.service.consul'
and their health. With --check, sends a GET through Kong's proxy to each route and says which hop
failed: Kong (no route), Consul (no healthy instance), or the service.

Options:
${PROJECT_HELP}
      --check           send a request through Kong to each route
      --json            machine-readable output`,
  options: { ...PROJECT_OPTIONS, check: { type: 'boolean' }, json: { type: 'boolean' } },
  allowPositionals: false,
};
