import { type CommandSpec, PROJECT_HELP, PROJECT_OPTIONS } from '../command.ts';

export const spec: CommandSpec = {
  name: 'ui',
  summary: 'a live dashboard of the project in the browser',
  usage: 'mkdev ui [-p project] [--port N] [--no-open]',
  help: `Serves a live dashboard of a running project on 127.0.0.1: services (state, readiness, health
history, ports, drift, the last up's timeline; restart, rebuild, stop), the route map Kong -> Consul ->
instances (with "try it"), RabbitMQ queues, Consul KV, merged logs and Kong's metrics from Prometheus.
The URL carries a random token; requests without it are refused. Runs until Ctrl-C.

Options:
${PROJECT_HELP}
      --port <n>        port on 127.0.0.1 (default 7700; 0 for any free port)
      --no-open         do not open a browser (it opens only when there is a display)`,
  options: { ...PROJECT_OPTIONS, port: { type: 'string' }, 'no-open': { type: 'boolean' } },
  allowPositionals: false,
};
