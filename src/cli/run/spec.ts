import { type CommandSpec, PROJECT_HELP, PROJECT_OPTIONS } from '../command.ts';

export const spec: CommandSpec = {
  name: 'run',
  summary: 'run one service on the host (in a debugger), still behind Kong and Consul',
  usage: 'mkdev run <service> [options] -- <command...>',
  help: `Brings the stack up if needed, stops the service's containers (they deregister), then runs the
command on the host in the current directory with the service's environment resolved for the host:
container addresses (rabbitmq:5672, consul:8500, kong:8001) become their published 127.0.0.1 ports,
PORT is a free port, SERVICE_ADDRESS and BIND_ADDRESS the project network's gateway (the host's
address on that bridge), so Kong, in its container, reaches the process through Consul. A service
that does not register itself (it has register: in mkdev.yaml) is registered by mkdev with a TCP
check. When the command exits, or on Ctrl-C (forwarded to it), mkdev deregisters it and starts the
service's containers again, waiting until they are ready; the command's exit code is mkdev's. If
mkdev itself is killed, the next mkdev command in the project repairs it.

Options:
${PROJECT_HELP}

Examples:
  mkdev run orders -- node --inspect src/main.ts
  mkdev run billing -- python3 -m debugpy --listen 5678 main.py`,
  options: { ...PROJECT_OPTIONS },
  allowPositionals: true,
};
