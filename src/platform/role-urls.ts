// The platform's endpoints as URLs on the engine's host, found by role (src/stack/roles.ts): the
// published port of the role holder's endpoint. Every reader of the platform (the dashboard,
// `routes`, snapshots, host runs) asks here, so a renamed service or export changes nothing.
import { firstRunning, type ObservedContainers } from '../engine/observed-state.ts';
import type { Stack } from '../stack/model.ts';
import { type EndpointName, endpointPort, type Role, serviceWithRole } from '../stack/roles.ts';

/** http://host:port of a role's endpoint, when its holder runs and publishes that port. */
export function roleUrl<R extends Role>(
  stack: Stack,
  observed: ObservedContainers,
  host: string,
  role: R,
  endpoint: EndpointName<R>,
): string | undefined {
  const service = serviceWithRole(stack, role);
  if (service === undefined) return undefined;
  const port = firstRunning(observed, service.name)?.ports[`${endpointPort(role, endpoint)}/tcp`];
  return port === undefined ? undefined : `http://${host}:${port}`;
}

/** The endpoints the dashboard and `routes` read, resolved once per look at the engine. */
export interface PlatformUrls {
  readonly gatewayProxy?: string;
  readonly gatewayAdmin?: string;
  readonly discovery?: string;
  readonly brokerManagement?: string;
  readonly metrics?: string;
  readonly traces?: string;
}

export function platformUrls(stack: Stack, observed: ObservedContainers, host: string): PlatformUrls {
  const entries = {
    gatewayProxy: roleUrl(stack, observed, host, 'gateway', 'proxy'),
    gatewayAdmin: roleUrl(stack, observed, host, 'gateway', 'admin'),
    discovery: roleUrl(stack, observed, host, 'discovery', 'http'),
    brokerManagement: roleUrl(stack, observed, host, 'broker', 'management'),
    metrics: roleUrl(stack, observed, host, 'metrics', 'http'),
    traces: roleUrl(stack, observed, host, 'traces', 'otlp'),
  };
  return Object.fromEntries(Object.entries(entries).filter(([, v]) => v !== undefined));
}

/** The broker's management credentials, from its environment (RabbitMQ's image variables). */
export function brokerCredentials(stack: Stack): { user: string; password: string } {
  const env = serviceWithRole(stack, 'broker')?.env ?? {};
  return { user: env.RABBITMQ_DEFAULT_USER ?? 'guest', password: env.RABBITMQ_DEFAULT_PASS ?? 'guest' };
}
