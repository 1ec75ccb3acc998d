// A project's mkdev.yaml: written by `mkdev init` (and by new-service when a project has none).
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors.ts';
import { PROJECT_FILE_NAME } from './load-stack.ts';

export function projectFileTemplate(name: string): string {
  return `# yaml-language-server: $schema=./node_modules/mkdev/stacks/mkdev.schema.json
# mkdev project file. It layers on the default stack (Kong, Consul, RabbitMQ, Postgres, Prometheus):
# maps merge with the default stack's, lists replace them. Every field: docs/configuration.md in mkdev.
name: ${name}

# Use other images than the official ones (a corporate mirror, an offline set):
# images:
#   kong:3.9: registry.example.com/kong:3.9

services:
  # Change a default service: here, Kong's log level.
  # kong:
  #   env:
  #     KONG_LOG_LEVEL: debug
  #
  # Add a service: 'mkdev new-service <name>' writes one under services/ and adds it here.
  # orders:
  #   build: services/orders
  #   env:
  #     PORT: "8080"
  #   depends_on:
  #     kong: { condition: ready }
  #   ready:
  #     http: { port: 8080, path: /readyz }
`;
}

export function writeProjectFile(dir: string, name: string): string {
  const file = join(dir, PROJECT_FILE_NAME);
  if (existsSync(file)) {
    throw new UserError(`${file} already exists`, { hint: 'edit it, or remove it first to start over' });
  }
  writeFileSync(file, projectFileTemplate(name));
  return file;
}
