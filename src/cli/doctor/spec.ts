import { type CommandSpec, PROJECT_HELP, PROJECT_OPTIONS } from '../command.ts';

export const spec: CommandSpec = {
  name: 'doctor',
  summary: 'check that this machine can run the stack',
  usage: 'mkdev doctor [--json]',
  help: `Checks the Docker engine (reachable within 3 s, API version), free memory and disk, the host ports
the stack wants (and who holds a taken one), Node, each image (present, or pullable), and each existing
Postgres or RabbitMQ volume against the image that is to open it (as 'mkdev up' would judge it).
Exit code 0 when nothing failed (warnings allowed), 1 otherwise.

Options:
${PROJECT_HELP}
      --json            machine-readable output`,
  options: { ...PROJECT_OPTIONS, json: { type: 'boolean' } },
  allowPositionals: false,
};
