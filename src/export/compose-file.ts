// The resolved stack as a Compose file: what `mkdev up` would run, for machines or CI that only have
// docker-compose. Kept to the part of the Compose Specification that both docker-compose 1.29 and
// Compose v2 read (no `version:` key, no top-level `name:`, which 1.29 rejects).
import { LABEL } from '../engine/labels.ts';
import { networkName } from '../engine/names.ts';
import { waitEdges } from '../stack/graph.ts';
import type { DependencyCondition, PortMapping, ServiceSpec, Stack, VolumeMount } from '../stack/model.ts';
import { afterReadyEntrypoint, afterReadyName, withAfterCompleted } from './actions.ts';
import { type ComposeHealthcheck, healthcheckFor, uncheckableProbes } from './healthcheck.ts';

type ComposeCondition = 'service_started' | 'service_healthy' | 'service_completed_successfully';

export interface ComposeService {
  image: string;
  build?: { context: string; dockerfile: string; args?: Record<string, string> };
  hostname?: string;
  dns_search?: readonly string[];
  user?: string;
  entrypoint?: readonly string[];
  command?: readonly string[];
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: string[];
  labels: Record<string, string>;
  networks: Record<string, { aliases: string[] }>;
  extra_hosts: string[];
  depends_on?: Record<string, { condition: ComposeCondition }>;
  healthcheck?: ComposeHealthcheck | { disable: true };
  restart?: string;
  deploy?: { replicas: number };
}

export interface ComposeFile {
  services: Record<string, ComposeService>;
  networks: Record<string, { name: string }>;
  volumes?: Record<string, Record<string, never>>;
}

export interface ComposeExport {
  readonly file: ComposeFile;
  /** What could not be carried over exactly, for the file's header and stderr. */
  readonly notes: readonly string[];
}

/** The one project network's key in the file; its engine name is mkdev's, which the registrator expects. */
const NETWORK = 'mkdev';

function composePort(p: PortMapping): string {
  // An empty host port ("127.0.0.1::8100") lets the engine choose one, on the same address.
  return `${p.hostIp}:${p.published === 0 ? '' : p.published}:${p.target}${p.protocol === 'udp' ? '/udp' : ''}`;
}

function composeVolume(v: VolumeMount): string {
  return `${v.source}:${v.target}${v.readOnly ? ':ro' : ''}`;
}

type Healthchecks = ReadonlyMap<string, ComposeHealthcheck | undefined>;

export function stackToCompose(stack: Stack): ComposeExport {
  const healthchecks: Healthchecks = new Map(
    Object.values(stack.services).map((s) => [s.name, healthcheckFor(s.ready)]),
  );
  const notes = readinessNotes(stack, healthchecks);
  const services: Record<string, ComposeService> = {};
  for (const s of Object.values(stack.services)) {
    const depends = dependsOnOf(stack, s, healthchecks);
    services[s.name] = {
      ...baseService(stack, s, healthchecks.get(s.name), withAfterCompleted(s)),
      ...(Object.keys(depends).length > 0 ? { depends_on: depends } : {}),
    };
    if (s.afterReady.length > 0) {
      services[afterReadyName(s.name)] = afterReadyService(stack, s, healthchecks);
      notes.push(
        `${s.name}: after_ready actions (${s.afterReady.map((a) => (a.kind === 'kong_plugin' ? `Kong plugin ${a.name}` : `Consul KV ${a.key}`)).join(', ')}) run in the one-shot service ${afterReadyName(s.name)}; an existing Kong plugin is kept, not updated`,
      );
    }
    if (s.afterCompleted.length > 0) {
      notes.push(`${s.name}: after_completed actions run at the end of its own command`);
    }
    if (s.restartWith.length > 0) {
      notes.push(
        `${s.name}: depends_on ${s.restartWith.join(', ')} with restart: true is left out (docker-compose 1.29 refuses it); after recreating ${s.restartWith.join(' or ')}, restart ${s.name}`,
      );
    }
  }
  return {
    file: {
      services,
      networks: { [NETWORK]: { name: networkName(stack.project) } },
      ...(stack.volumes.length > 0 ? { volumes: Object.fromEntries(stack.volumes.map((v) => [v, {}])) } : {}),
    },
    notes,
  };
}

/** What readiness a healthcheck cannot carry over (probes that need the host side). */
function readinessNotes(stack: Stack, healthchecks: Healthchecks): string[] {
  const notes: string[] = [];
  for (const s of Object.values(stack.services)) {
    const missing = s.ready ? uncheckableProbes(s.ready) : [];
    if (missing.length === 0) continue;
    notes.push(
      healthchecks.get(s.name) === undefined
        ? `${s.name}: its readiness (${missing.map((p) => p.kind).join(', ')} probe) cannot be checked inside the container, so it has no healthcheck; services waiting for it being ready wait for it being started`
        : `${s.name}: its healthcheck leaves out the ${missing.map((p) => p.kind).join(', ')} probe, which cannot be checked inside the container`,
    );
  }
  return notes;
}

function dependsOnOf(
  stack: Stack,
  s: ServiceSpec,
  healthchecks: Healthchecks,
): Record<string, { condition: ComposeCondition }> {
  const condition = (dep: string, wanted: DependencyCondition): ComposeCondition => {
    if (wanted === 'completed') return 'service_completed_successfully';
    if (wanted === 'ready' && healthchecks.get(dep) !== undefined) return 'service_healthy';
    return 'service_started';
  };
  const depends: Record<string, { condition: ComposeCondition }> = {};
  const edges = waitEdges(s);
  for (const { on, condition: wanted } of edges.filter((e) => e.via === 'depends_on')) {
    depends[on] = { condition: condition(on, wanted) };
    // "ready" in mkdev includes the dependency's after_ready actions.
    const dependency = stack.services[on];
    if (wanted === 'ready' && dependency && dependency.afterReady.length > 0) {
      depends[afterReadyName(on)] = { condition: 'service_completed_successfully' };
    }
  }
  // The job's after_completed actions talk to other services (Consul): they must exist by then. The
  // actions retry until their target answers, so being started is enough.
  for (const { on } of edges.filter((e) => e.via === 'after_completed')) {
    depends[on] ??= { condition: 'service_started' };
  }
  return depends;
}

/** The one-shot `<service>-after-ready` service running a service's after_ready actions. */
function afterReadyService(stack: Stack, s: ServiceSpec, healthchecks: Healthchecks): ComposeService {
  return {
    image: s.image,
    entrypoint: afterReadyEntrypoint(s),
    labels: {
      [LABEL.project]: stack.project,
      [LABEL.service]: afterReadyName(s.name),
      [LABEL.oneShot]: 'true',
    },
    networks: { [NETWORK]: { aliases: [afterReadyName(s.name)] } },
    extra_hosts: ['host.docker.internal:host-gateway'],
    depends_on: {
      [s.name]: { condition: healthchecks.get(s.name) ? 'service_healthy' : 'service_started' },
      ...Object.fromEntries(
        waitEdges(s)
          .filter((e) => e.via === 'after_ready')
          .map((e) => [e.on, { condition: 'service_started' as const }]),
      ),
    },
    healthcheck: { disable: true },
    restart: 'no',
  };
}

function baseService(
  stack: Stack,
  s: ServiceSpec,
  healthcheck: ComposeHealthcheck | undefined,
  argv: { command?: readonly string[]; entrypoint?: readonly string[] },
): ComposeService {
  // mkdev's project labels let the registrator find the containers (and `mkdev status` show them).
  const labels: Record<string, string> = {
    ...s.labels,
    [LABEL.project]: stack.project,
    [LABEL.service]: s.name,
    [LABEL.oneShot]: String(s.oneShot),
  };
  if (s.register) labels[LABEL.registerPort] = `${s.register.name}:${s.register.port}`;
  return {
    image: s.image,
    ...(s.build
      ? {
          build: {
            context: s.build.context,
            dockerfile: s.build.dockerfile,
            ...(Object.keys(s.build.args).length > 0 ? { args: { ...s.build.args } } : {}),
          },
        }
      : {}),
    ...(s.hostname ? { hostname: s.hostname } : {}),
    ...(s.dnsSearch ? { dns_search: s.dnsSearch } : {}),
    ...(s.user ? { user: s.user } : {}),
    ...(argv.entrypoint ? { entrypoint: argv.entrypoint } : {}),
    ...(argv.command ? { command: argv.command } : {}),
    ...(Object.keys(s.env).length > 0 ? { environment: { ...s.env } } : {}),
    ...(s.ports.length > 0 ? { ports: s.ports.map(composePort) } : {}),
    ...(s.volumes.length > 0 ? { volumes: s.volumes.map(composeVolume) } : {}),
    labels,
    networks: { [NETWORK]: { aliases: [s.name] } },
    // As mkdev's containers: services can reach the developer's host on Linux engines too.
    extra_hosts: ['host.docker.internal:host-gateway'],
    // A job's health means nothing, and images may declare a healthcheck (Kong's does).
    ...(healthcheck ? { healthcheck } : s.oneShot ? { healthcheck: { disable: true as const } } : {}),
    // Jobs run once under Compose (its completed condition does not follow retries); services keep mkdev's policy.
    restart: s.oneShot ? 'no' : restartText(s),
    ...(s.replicas > 1 ? { deploy: { replicas: s.replicas } } : {}),
  };
}

function restartText(s: ServiceSpec): string {
  return s.restart.name === 'on-failure' ? `on-failure:${s.restart.maxRetries}` : s.restart.name;
}
