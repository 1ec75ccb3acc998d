// How the fake engine's containers live (see fake-engine.ts): made from the create options the real
// engine gets (container-spec.ts, so names, labels and ports are the real ones), started on host
// ports, exited, stopped and removed, each change announced as the engine's events.
import type { ServiceSpec } from '../stack/model.ts';
import { containerCreateOptions } from './container-spec.ts';
import type { ContainerDetails, ContainerEvent, ContainerRef, CreateOptions, Labels } from './engine.ts';
import { engineRefusal } from './engine-error.ts';
import type { FakeContainer, FakeWorld } from './fake-world.ts';
import { LABEL } from './labels.ts';
import { networkName, volumeName } from './names.ts';
import type { ObservedContainer } from './observed-state.ts';

/** The container, or the engine's 404. */
export function containerOf(world: FakeWorld, ref: ContainerRef): FakeContainer {
  const c = world.find(ref.id);
  if (c === undefined) throw engineRefusal(404, `No such container: ${ref.id}`);
  return c;
}

export function announce(world: FakeWorld, c: FakeContainer, ...actions: string[]): void {
  const replica = Number(c.labels[LABEL.replica] ?? '1');
  for (const action of actions) {
    const event: ContainerEvent = { action, id: c.id, name: c.name, service: c.service, replica };
    world.changed.emit('event', c.project, event);
  }
  world.changed.emit('change');
}

export function observedOf(c: FakeContainer): ObservedContainer {
  return {
    id: c.id,
    name: c.name,
    service: c.service,
    replica: Number(c.labels[LABEL.replica] ?? '1'),
    configHash: c.labels[LABEL.configHash] ?? '',
    state: c.state,
    exitCode: c.state === 'exited' ? c.exitCode : undefined,
    oneShot: c.labels[LABEL.oneShot] === 'true',
    labels: c.labels,
    ports: c.state === 'running' ? { ...c.ports } : {},
    image: c.image,
    volumes: [...c.namedVolumes, ...c.anonymousVolumes],
    ...(c.state === 'running' ? { address: c.address } : {}),
  };
}

export function detailsOf(c: FakeContainer): ContainerDetails {
  const running = c.state === 'running';
  const ports = running ? { ...c.ports } : {};
  return {
    id: c.id,
    name: c.name,
    running,
    restarting: false,
    exitCode: c.exitCode,
    restartCount: c.restartCount,
    finishedAt: c.finishedAt,
    labels: c.labels,
    ports,
    bindings: Object.fromEntries(
      Object.entries(ports).map(([key, port]) => [key, [{ hostIp: '127.0.0.1', hostPort: String(port) }]]),
    ),
  };
}

export function createContainer(
  world: FakeWorld,
  project: string,
  labels: Labels,
  service: ServiceSpec,
  options: CreateOptions,
): ContainerRef {
  const spec = containerCreateOptions(service, {
    project,
    network: networkName(project),
    replica: options.replica,
    configHash: options.configHash,
    extraLabels: { ...labels, ...options.labels },
    ...(options.hostPorts ? { hostPorts: options.hostPorts } : {}),
  });
  const name = spec.name as string;
  const taken = world.find(name);
  if (taken) {
    throw engineRefusal(
      409,
      `Conflict. The container name "/${name}" is already in use by container "${taken.id}". You have to remove (or rename) that container to be able to reuse that name.`,
    );
  }
  const image = world.images.get(service.image);
  if (image === undefined) throw engineRefusal(404, `No such image: ${service.image}`);
  const named = service.volumes.filter((v) => v.kind === 'volume').map((v) => volumeName(project, v.source));
  // The engine creates a named volume a container mounts when it does not exist yet (unlabelled).
  for (const v of named) if (!world.volumes.has(v)) world.volumes.set(v, { labels: {} });
  const id = world.nextId('c');
  const anonymous = image.volumes.map((_, i) => `${id}-anonymous-${i + 1}`);
  for (const v of anonymous) world.volumes.set(v, { labels: {} });
  const published: Record<string, number> = {};
  for (const [key, held] of Object.entries(spec.HostConfig?.PortBindings ?? {})) {
    published[key] = Number((held as { HostPort: string }[])[0]?.HostPort || 0);
  }
  const c: FakeContainer = {
    id,
    name,
    project,
    service: service.name,
    image: service.image,
    command: service.command,
    labels: spec.Labels ?? {},
    restart: service.restart,
    published,
    namedVolumes: named,
    anonymousVolumes: anonymous,
    state: 'created',
    exitCode: 0,
    restartCount: 0,
    finishedAt: undefined,
    ports: {},
    files: new Map(),
    children: [],
    address: world.nextAddress(),
  };
  world.containers.set(id, c);
  announce(world, c, 'create');
  return { id, service: service.name };
}

/** Starts it on its host ports (refused as the engine refuses a port in use); a job exits at once. */
export function startContainer(world: FakeWorld, c: FakeContainer): void {
  if (c.state === 'running') return;
  // The engine attaches a container to its network at start, not at create.
  const network = networkName(c.project);
  if (!world.networks.has(network)) throw engineRefusal(404, `network ${network} not found`);
  const ports: Record<string, number> = {};
  for (const [key, wanted] of Object.entries(c.published)) {
    const port = wanted === 0 ? world.nextFreePort() : wanted;
    const holder = [...world.containers.values()].find(
      (o) => o !== c && o.state === 'running' && Object.values(o.ports).includes(port),
    );
    if (holder) {
      throw engineRefusal(
        500,
        `driver failed programming external connectivity on endpoint ${c.name}: Bind for 127.0.0.1:${port} failed: port is already allocated`,
      );
    }
    ports[key] = port;
  }
  c.ports = ports;
  c.state = 'running';
  c.children = world.behaviours.get(c.service)?.restartSignal ? [world.nextPid()] : [];
  announce(world, c, 'start');
  const code = exitCodeOf(world, c);
  if (code !== undefined) exitContainer(world, c, code);
}

/** A job's (or a crash's) exit code: its behaviour's, else `sh -c "exit N"`'s, as the real engine runs it. */
function exitCodeOf(world: FakeWorld, c: FakeContainer): number | undefined {
  const scripted = world.behaviours.get(c.service)?.exitCode;
  if (scripted !== undefined) return scripted;
  const [shell, flag, script] = c.command ?? [];
  const exit = shell === 'sh' && flag === '-c' ? /^exit (\d+)$/.exec(script ?? '') : null;
  return exit ? Number(exit[1]) : undefined;
}

/** Exits; an on-failure policy runs it again up to its retries (the fake's runs fail the same way). */
export function exitContainer(world: FakeWorld, c: FakeContainer, code: number): void {
  if (code !== 0 && c.restart.name === 'on-failure') c.restartCount += c.restart.maxRetries;
  c.state = 'exited';
  c.exitCode = code;
  c.finishedAt = world.now();
  announce(world, c, 'die');
}

/** SIGTERM, which every fake container heeds at once. */
export function stopContainer(world: FakeWorld, c: FakeContainer): void {
  if (c.state !== 'running') return;
  c.state = 'exited';
  c.exitCode = 0;
  c.finishedAt = world.now();
  announce(world, c, 'kill', 'die', 'stop');
}

/** Removes it with its anonymous volumes, killing it if it runs. */
export function removeContainer(world: FakeWorld, c: FakeContainer): void {
  if (c.state === 'running') announce(world, c, 'kill', 'die');
  world.containers.delete(c.id);
  for (const v of c.anonymousVolumes) world.volumes.delete(v);
  announce(world, c, 'destroy');
}
