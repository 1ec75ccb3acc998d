import { type CommandSpec, PROJECT_HELP, PROJECT_OPTIONS } from '../command.ts';

export const spec: CommandSpec = {
  name: 'run',
  summary: 'run one service on the host (in a debugger), still behind Kong and Consul',
  usage: 'mkdev run <service> [options] -- <command...>',
  help: `Brings the stack up if needed, then runs the command on the host in the current directory with
the service's environment resolved for the host: container addresses (rabbitmq:5672, consul:8500,
kong:8001) become their published 127.0.0.1 ports, PORT is a free port, SERVICE_ADDRESS is the address
host.docker.internal has inside the project network (where Kong, in its container, reaches the
process through Consul) and BIND_ADDRESS where the process listens for it. A service that does not
register itself (register: in mkdev.yaml) is registered by mkdev with a TCP check. Once the process
serves and Consul lists it, the service's containers stop; no request finds the service missing.

The command runs in a process group of its own. The first SIGINT or SIGTERM (Ctrl-C, an IDE's stop
button, kill <mkdev's pid>) brings the containers back, then passes the signal to the command's whole
process group; a second kills that group. (A build context edited meanwhile is built first, and
mkdev says so.) mkdev deregisters the process, and exits with the command's
status (128 + the signal's number when a signal killed it). If mkdev itself is killed, the next mkdev
command in the project repairs it.

Node services: the node on PATH must satisfy the service's package.json "engines".

Options:
${PROJECT_HELP}

Examples:
  mkdev run orders -- node --inspect src/main.ts
  mkdev run orders -- npm start
  mkdev run billing -- python3 -m debugpy --listen 5678 main.py`,
  options: { ...PROJECT_OPTIONS },
  allowPositionals: true,
  signalsToExit: 3,
};
