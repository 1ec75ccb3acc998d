// Which service plays which platform role, and which of its ports is which endpoint. A service says
// its role once in the stack file (`role: gateway`); everything that needs "the gateway" (the
// dashboard, `routes`, snapshots, the exports, readiness) asks here, never by service or image name,
// so renaming a service in mkdev.yaml changes nothing but its name.

/**
 * Each role's endpoints: the container port its product listens on by default (the official images'
 * ports, as the default stack runs them). A reader asks for an endpoint by role and name.
 */
export const ROLES = {
  /** Kong: the proxy routes requests, the Admin API configures it, the status API answers readiness. */
  gateway: { proxy: 8000, admin: 8001, status: 8100 },
  /** Consul: its HTTP API (catalog, health, KV) and its DNS, which Kong resolves upstreams with. */
  discovery: { http: 8500, dns: 8600 },
  /** RabbitMQ: AMQP and the management API. */
  broker: { amqp: 5672, management: 15672 },
  /** Postgres: Kong's database. */
  database: { postgres: 5432 },
  /** Prometheus: its HTTP API (the dashboard's route metrics). */
  metrics: { http: 9090 },
  /** The OTLP/HTTP trace receiver (`mkdev traces`, the dashboard's traces). */
  traces: { otlp: 4318 },
  /** The registrator: registers labelled containers in the discovery service. */
  registrator: {},
} as const;

export type Role = keyof typeof ROLES;
export type EndpointName<R extends Role> = keyof (typeof ROLES)[R] & string;

// Structural, so the model (which names Role) and this module do not import each other.
interface HasRole {
  readonly role?: Role;
}
interface WithServices<S> {
  readonly services: Readonly<Record<string, S>>;
}

export const ROLE_NAMES = Object.keys(ROLES) as Role[];

/** The service that plays `role`, if the stack has one (the loader refuses a role given twice). */
export function serviceWithRole<S extends HasRole>(stack: WithServices<S>, role: Role): S | undefined {
  return Object.values(stack.services).find((s) => s.role === role);
}

/** The container port of a role's endpoint, e.g. (gateway, admin) -> 8001. */
export function endpointPort<R extends Role>(role: R, endpoint: EndpointName<R>): number {
  return (ROLES[role] as Record<string, number>)[endpoint] as number;
}

/** What a role is called in messages: "the gateway (kong)", or the role alone when no service has it. */
export function describeRole(stack: WithServices<HasRole & { name: string }>, role: Role): string {
  const service = serviceWithRole(stack, role);
  return service ? `the ${role} (${service.name})` : `the ${role}`;
}
