// Turns a validated, merged service entry into the concrete ServiceSpec the engine runs.
import { isAbsolute, resolve } from 'node:path';
import { UserError } from '../errors.ts';
import { parseDuration } from './duration.ts';
import { type ImageMap, mapImage } from './image-map.ts';
import { IMAGE_BUILD_ARGS } from './image-reference.ts';
import type {
  Action,
  DependencyCondition,
  PortMapping,
  ReadyProbe,
  ReadySpec,
  RestartPolicy,
  ServiceSpec,
  VolumeMount,
  WatchRule,
} from './model.ts';
import type { RoleHolders } from './role-holders.ts';
import { endpointPort, type Role } from './roles.ts';
import {
  type ActionFile,
  PORT_PATTERN,
  type ReadyFile,
  type ServiceFile,
  type WatchRuleFile,
} from './schema.ts';

/** Host ports bind to loopback unless the stack says otherwise: safe by default. */
const DEFAULT_HOST_IP = '127.0.0.1';

function parsePort(entry: NonNullable<ServiceFile['ports']>[number]): PortMapping {
  if (typeof entry === 'number')
    return { target: entry, published: 0, hostIp: DEFAULT_HOST_IP, protocol: 'tcp' };
  if (typeof entry === 'object') {
    return {
      target: entry.target,
      published: entry.published ?? 0,
      hostIp: entry.host_ip ?? DEFAULT_HOST_IP,
      protocol: entry.protocol ?? 'tcp',
    };
  }
  const m = PORT_PATTERN.exec(entry);
  if (m === null) throw new Error(`unparsable port ${entry}`); // the schema already refused it
  return {
    hostIp: m[1] ?? DEFAULT_HOST_IP,
    published: m[2] === undefined ? 0 : Number(m[2]),
    target: Number(m[3]),
    protocol: (m[4] as 'tcp' | 'udp' | undefined) ?? 'tcp',
  };
}

function parseVolume(entry: string, projectDir: string): VolumeMount {
  const [source = '', target = '', mode] = entry.split(':');
  const isPath = source.startsWith('.') || source.startsWith('/') || source.startsWith('~');
  return {
    kind: isPath ? 'bind' : 'volume',
    source: isPath ? (isAbsolute(source) ? source : resolve(projectDir, source)) : source,
    target,
    readOnly: mode === 'ro',
  };
}

/** A one-shot job's retries: enough to outlast a transient failure (Docker's DNS not yet knowing a name). */
export const ONE_SHOT_RETRIES = 3;

/**
 * Long-running services come back by themselves after a crash (unless-stopped: a deliberate stop or
 * `down` is respected); one-shot jobs are retried a few times on failure, never after success.
 */
export function parseRestart(value: string | undefined, oneShot: boolean): RestartPolicy {
  if (value === undefined) {
    return oneShot
      ? { name: 'on-failure', maxRetries: ONE_SHOT_RETRIES }
      : { name: 'unless-stopped', maxRetries: 0 };
  }
  const [name, retries] = value.split(':');
  if (name === 'on-failure')
    return { name, maxRetries: retries === undefined ? ONE_SHOT_RETRIES : Number(retries) };
  return { name: name as RestartPolicy['name'], maxRetries: 0 };
}

function toArgv(value: string | string[] | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value : value.split(/\s+/).filter(Boolean);
}

/** Every probe named in `ready:` must pass: e.g. RabbitMQ's management API answers before AMQP listens. */
function normalizeReady(ready: ReadyFile | undefined, holder: Holder): ReadySpec | undefined {
  if (ready === undefined) return undefined;
  const intervalMs = parseDuration(ready.interval ?? 200) ?? 200;
  const timeoutMs = parseDuration(ready.timeout ?? '120s') ?? 120_000;
  const probes: ReadyProbe[] = [];
  if (ready.http) {
    probes.push({
      kind: 'http',
      port: ready.http.port,
      path: ready.http.path,
      scheme: ready.http.scheme ?? 'http',
      ...(ready.http.status === undefined ? {} : { status: ready.http.status }),
      ...(ready.http.basic_auth ? { basicAuth: ready.http.basic_auth } : {}),
      ...(ready.http.body_includes === undefined ? {} : { bodyIncludes: ready.http.body_includes }),
    });
  }
  if (ready.tcp) probes.push({ kind: 'tcp', port: ready.tcp.port });
  if (ready.exec) probes.push({ kind: 'exec', command: ready.exec.command });
  if (ready.postgres) probes.push({ kind: 'postgres', ...ready.postgres });
  if (ready.consul_leader) probes.push({ kind: 'consul_leader', port: ready.consul_leader.port });
  if (ready.consul_kv) probes.push({ kind: 'consul_kv', ...ready.consul_kv });
  if (ready.log) probes.push({ kind: 'log', pattern: ready.log.pattern });
  if (ready.kong_route) {
    const { service, port, ...rest } = ready.kong_route;
    probes.push({
      kind: 'kong_route',
      ...rest,
      service: service ?? holder('gateway', 'ready.kong_route'),
      port: port ?? endpointPort('gateway', 'proxy'),
    });
  }
  return { probes, intervalMs, timeoutMs };
}

/** The service holding a role, for a key that defaults to it; an error naming the key when none does. */
type Holder = (role: Role, key: string) => string;

function normalizeAction(action: ActionFile, holder: Holder): Action {
  if ('consul_kv_put' in action) {
    const { service, ...rest } = action.consul_kv_put;
    return { kind: 'consul_kv_put', ...rest, service: service ?? holder('discovery', 'consul_kv_put') };
  }
  const { port, name, config } = action.kong_plugin;
  return { kind: 'kong_plugin', port, name, ...(config === undefined ? {} : { config }) };
}

function normalizeWatchRule(rule: WatchRuleFile, projectDir: string): WatchRule {
  const exec = toArgv(rule.exec?.command);
  return {
    path: resolve(projectDir, rule.path),
    action: rule.action,
    ...(rule.target === undefined ? {} : { target: rule.target }),
    ignore: rule.ignore ?? [],
    include: rule.include ?? [],
    ...(exec === undefined ? {} : { exec }),
  };
}

function normalizeDependsOn(value: ServiceFile['depends_on']): Record<string, DependencyCondition> {
  if (value === undefined) return {};
  if (Array.isArray(value)) return Object.fromEntries(value.map((name) => [name, 'started' as const]));
  return Object.fromEntries(Object.entries(value).map(([name, v]) => [name, v.condition]));
}

export function mapBuildArg(images: ImageMap, name: string, value: string): string {
  return IMAGE_BUILD_ARGS.includes(name) ? mapImage(images, value) : value;
}

export function normalizeService(
  name: string,
  service: ServiceFile,
  context: { project: string; projectDir: string; images: ImageMap; source: string; roles?: RoleHolders },
): ServiceSpec {
  const holder: Holder = (role, key) => {
    const found = context.roles?.[role];
    if (found !== undefined) return found;
    throw new UserError(
      `${context.source}: '${name}' has ${key} without a service, and no service has role ${role}`,
      {
        hint: `name the service (service: <name>), or give one service \`role: ${role}\``,
      },
    );
  };
  const build =
    service.build === undefined
      ? undefined
      : typeof service.build === 'string'
        ? { context: resolve(context.projectDir, service.build), dockerfile: 'Dockerfile', args: {} }
        : {
            context: resolve(context.projectDir, service.build.context),
            dockerfile: service.build.dockerfile ?? 'Dockerfile',
            args: Object.fromEntries(
              Object.entries(service.build.args ?? {}).map(([k, v]) => [
                k,
                mapBuildArg(context.images, k, String(v)),
              ]),
            ),
          };
  const requestedImage = service.image ?? `mkdev-${context.project}-${name}:dev`;
  const command = toArgv(service.command);
  const entrypoint = toArgv(service.entrypoint);
  const ready = normalizeReady(service.ready, holder);
  return {
    name,
    ...(service.role === undefined ? {} : { role: service.role as Role }),
    requestedImage,
    image: build === undefined ? mapImage(context.images, requestedImage) : requestedImage,
    ...(build === undefined ? {} : { build }),
    env: Object.fromEntries(
      Object.entries(service.env ?? {})
        .filter(([, v]) => v !== null)
        .map(([k, v]) => [k, String(v)]),
    ),
    ports: (service.ports ?? []).map(parsePort),
    volumes: (service.volumes ?? []).map((v) => parseVolume(v, context.projectDir)),
    ...(command === undefined ? {} : { command }),
    ...(entrypoint === undefined ? {} : { entrypoint }),
    dependsOn: normalizeDependsOn(service.depends_on),
    restartWith: Array.isArray(service.depends_on)
      ? []
      : Object.entries(service.depends_on ?? {})
          .filter(([, v]) => v.restart === true)
          .map(([dep]) => dep),
    requires: service.requires ?? [],
    ...(ready === undefined ? {} : { ready }),
    oneShot: service.one_shot ?? false,
    restart: parseRestart(service.restart, service.one_shot ?? false),
    replicas: service.replicas ?? 1,
    ...(service.hostname === undefined ? {} : { hostname: service.hostname }),
    ...(service.dns_search === undefined
      ? {}
      : { dnsSearch: typeof service.dns_search === 'string' ? [service.dns_search] : service.dns_search }),
    ...(service.user === undefined ? {} : { user: service.user }),
    labels: service.labels ?? {},
    ...(service.register === undefined
      ? {}
      : { register: { port: service.register.port, name: service.register.name ?? name } }),
    exports: service.exports ?? {},
    afterReady: (service.after_ready ?? []).map((a) => normalizeAction(a, holder)),
    afterCompleted: (service.after_completed ?? []).map((a) => normalizeAction(a, holder)),
    watch: (service.develop?.watch ?? []).map((r) => normalizeWatchRule(r, context.projectDir)),
    source: context.source,
  };
}
