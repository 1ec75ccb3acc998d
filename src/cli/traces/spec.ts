import { type CommandSpec, PROJECT_HELP, PROJECT_OPTIONS } from '../command.ts';

export const spec: CommandSpec = {
  name: 'traces',
  summary: 'recent requests as traces: Kong -> services -> RabbitMQ, as trees',
  usage: 'mkdev traces [trace-id] [--route /orders] [--service x] [--errors] [--follow] [--json]',
  help: `Prints the most recent traces the stack's trace receiver holds (newest last), each as a tree of
its spans: Kong's (router, DNS, balancer, plugins), then each service's (HTTP, RabbitMQ publish and
consume), with how long each took and when it started after the request. Spans with an error say so.
Given a trace id, prints that trace.

Options:
${PROJECT_HELP}
      --route <path>    only requests on this route or under this path (e.g. /orders)
      --service <name>  only traces that went through this service
      --errors          only traces with an error (a span with status ERROR, or a 5xx answer)
      --limit <n>       how many traces (default 10)
      --follow          keep printing traces as they complete, until Ctrl-C
      --json            one JSON object per trace (summary and spans), one per line`,
  options: {
    ...PROJECT_OPTIONS,
    route: { type: 'string' },
    service: { type: 'string' },
    errors: { type: 'boolean' },
    limit: { type: 'string' },
    follow: { type: 'boolean' },
    json: { type: 'boolean' },
  },
  allowPositionals: true,
};
