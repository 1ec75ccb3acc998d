import type { CommandSpec } from '../command.ts';

export const spec: CommandSpec = {
  name: 'new-service',
  summary: 'scaffold a service that registers itself on Kong and Consul',
  usage: 'mkdev new-service <name> [--lang ts|python|go] [--path /<name>] [--port 8080]',
  help: `Writes services/<name>/ from a template and adds the service to ./mkdev.yaml (created as by
'mkdev init' when missing; comments in an existing one are kept). The service answers GET /healthz
(Consul's check), GET /readyz (what 'up' waits for) and a sample GET /, registers itself on Consul (with a health check) and on Kong (route <path>,
strip_path), and runs a verification flow over RabbitMQ (POST/GET /verifications).
Nothing is written when the name is taken, reserved or invalid.

Options:
      --lang <ts|python|go>  the template: TypeScript (Node 24), Python 3.13 or Go 1.27 (default: ts)
      --path </prefix>       Kong route prefix (default: /<name>)
      --port <n>             the port the service listens on in its container (default: 8080)

Examples:
  mkdev new-service orders
  mkdev new-service users --lang python --path /api/users
  mkdev new-service billing --lang go`,
  options: { lang: { type: 'string' }, path: { type: 'string' }, port: { type: 'string' } },
  allowPositionals: true,
};
