// The service's configuration, from the environment only (mkdev sets it in mkdev.yaml). Pure, so it
// is unit-tested without a network.

export interface Config {
  readonly serviceName: string;
  /** Unique per container: `<name>-<hostname>`, the Consul service ID. */
  readonly instanceId: string;
  readonly port: number;
  /** The public path prefix Kong routes to this service, e.g. /orders. */
  readonly routePath: string;
  readonly kongAdminUrl: string;
  readonly consulUrl: string;
  readonly rabbitmqUrl: string;
  /** The durable queue the verification flow uses. */
  readonly verificationQueue: string;
  /** REGISTER=false skips Kong and Consul, to run the service on its own. */
  readonly register: boolean;
}

export type Env = Readonly<Record<string, string | undefined>>;

/** Placeholders new-service replaces; the environment still wins. */
const DEFAULT_NAME = '__SERVICE_NAME__';
const DEFAULT_PORT = '__PORT__';
const DEFAULT_ROUTE_PATH = '__ROUTE_PATH__';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === '' ? undefined : trimmed;
}

export function parseConfig(env: Env, hostname: string): Config {
  const serviceName = nonEmpty(env.SERVICE_NAME) ?? DEFAULT_NAME;
  if (!/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(serviceName)) {
    throw new ConfigError(
      `SERVICE_NAME must be a DNS label (it becomes <name>.service.consul): got '${serviceName}'`,
    );
  }
  const portText = nonEmpty(env.PORT) ?? DEFAULT_PORT;
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new ConfigError(`PORT must be a port number (1-65535): got '${portText}'`);
  }
  const routePath = (nonEmpty(env.ROUTE_PATH) ?? DEFAULT_ROUTE_PATH).replace(/(.)\/+$/, '$1');
  if (!routePath.startsWith('/')) throw new ConfigError(`ROUTE_PATH must start with '/': got '${routePath}'`);
  const register = (nonEmpty(env.REGISTER) ?? 'true').toLowerCase();
  if (register !== 'true' && register !== 'false') {
    throw new ConfigError(`REGISTER must be true or false: got '${register}'`);
  }
  return {
    serviceName,
    instanceId: `${serviceName}-${hostname}`,
    port,
    routePath,
    kongAdminUrl: nonEmpty(env.KONG_ADMIN_URL) ?? 'http://kong:8001',
    consulUrl: nonEmpty(env.CONSUL_URL) ?? 'http://consul:8500',
    rabbitmqUrl: nonEmpty(env.RABBITMQ_URL) ?? 'amqp://guest:guest@rabbitmq:5672',
    verificationQueue: `${serviceName}-verifications`,
    register: register === 'true',
  };
}

/**
 * Kong strips the route prefix (strip_path), so `/orders/verifications` arrives as `/verifications`.
 * Called directly (its published port, or another container) the service may see the prefixed path:
 * both forms are answered by dropping the prefix here.
 */
export function localPath(routePath: string, path: string): string {
  if (routePath === '/') return path;
  if (path === routePath) return '/';
  if (path.startsWith(`${routePath}/`)) return path.slice(routePath.length);
  return path;
}
