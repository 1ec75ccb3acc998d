// What a new service may be called: a DNS label (it becomes a container name, a Consul service and
// `<name>.service.consul`), and not one of the stack's own services.
import { UsageError, UserError } from '../errors.ts';

/** The default stack's services, plus names the original platform used for its own containers. */
export const RESERVED_NAMES: ReadonlySet<string> = new Set([
  'kong',
  'consul',
  'rabbitmq',
  'postgres',
  'prometheus',
  'kong-migrations',
  'registrator',
  'traces',
]);

const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

export function checkServiceName(name: string): void {
  if (!DNS_LABEL.test(name)) {
    throw new UsageError(
      `'${name}' is not a valid service name`,
      'use a DNS label: 1-63 lowercase letters, digits and dashes, not starting or ending with a dash (e.g. orders)',
    );
  }
  if (RESERVED_NAMES.has(name)) {
    throw new UserError(`'${name}' is one of the stack's own services`, {
      hint: `pick another name; reserved: ${[...RESERVED_NAMES].join(', ')}`,
    });
  }
}

/** --path: a Kong route prefix. */
export function checkRoutePath(path: string): void {
  if (!path.startsWith('/')) {
    throw new UsageError(`--path must start with '/': got '${path}'`, 'e.g. --path /orders');
  }
  if (!/^\/[A-Za-z0-9._~\-/]*$/.test(path) || path.includes('//')) {
    throw new UsageError(
      `--path '${path}' is not a plain URL path`,
      'use letters, digits and - . _ ~ separated by single slashes',
    );
  }
}

export function parsePortFlag(text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port < 1 || port > 65535) {
    throw new UsageError(
      `--port must be a port number (1-65535): got '${text}'`,
      'the port the service listens on inside its container, e.g. --port 8080',
    );
  }
  return port;
}
