// The fake engine's side of mkdev's own containers and volume work (see fake-engine.ts): helper
// containers (a temporary server) live among the other containers, answering commands as their
// behaviour says (by the helper's name); volumes hold files a test put there.
import type { ContainerRef, HelperSpec, Labels, VolumeDetails, VolumeRead } from './engine.ts';
import { engineRefusal } from './engine-error.ts';
import { announce } from './fake-containers.ts';
import type { FakeWorld } from './fake-world.ts';
import { LABEL } from './labels.ts';
import { currentOwner, formatOwner } from './owner.ts';

export function startHelper(world: FakeWorld, project: string, spec: HelperSpec): ContainerRef {
  world.record('startHelper', spec.name, spec.image);
  const leftover = world.find(spec.name);
  if (leftover) world.containers.delete(leftover.id);
  if (!world.images.has(spec.image)) throw engineRefusal(404, `No such image: ${spec.image}`);
  for (const volume of Object.keys(spec.mounts)) {
    if (!world.volumes.has(volume)) world.volumes.set(volume, { labels: {} });
  }
  const id = world.nextId('c');
  const labels: Labels = {
    [LABEL.project]: project,
    [LABEL.owner]: formatOwner(currentOwner()),
    ...spec.labels,
  };
  const c = {
    id,
    name: spec.name,
    project,
    service: '',
    image: spec.image,
    command: undefined,
    labels,
    restart: { name: 'no' as const, maxRetries: 0 },
    published: {},
    namedVolumes: Object.keys(spec.mounts),
    anonymousVolumes: [],
    state: 'running' as const,
    exitCode: 0,
    restartCount: 0,
    finishedAt: undefined,
    ports: {},
    files: new Map<string, string>(),
    children: [],
    address: world.nextAddress(),
  };
  world.containers.set(id, c);
  announce(world, c, 'create', 'start');
  return { id, service: spec.name };
}

export function endHelper(world: FakeWorld, ref: ContainerRef, signal: string): void {
  const c = world.find(ref.id);
  world.record('endHelper', c?.name ?? ref.id, signal);
  if (c === undefined) return;
  announce(world, c, 'kill', 'die', 'destroy');
  world.containers.delete(c.id);
}

export function volumeDetails(world: FakeWorld, name: string): VolumeDetails | undefined {
  const v = world.volumes.get(name);
  return v && { name, labels: v.labels };
}

export function removeVolume(world: FakeWorld, name: string): void {
  world.record('removeVolume', name);
  const user = [...world.containers.values()].find((c) => c.namedVolumes.includes(name));
  if (user) throw engineRefusal(409, `remove ${name}: volume is in use - [${user.id}]`);
  world.volumes.delete(name);
  world.volumeFiles.delete(name);
}

/** Each path's text, as the real engine's archive of a read-only mount gives it. */
export function readVolumeFiles(world: FakeWorld, read: VolumeRead): Map<string, string | undefined> {
  world.record('readVolumeFiles', read.volume, read.image);
  if (!world.images.has(read.image)) throw engineRefusal(404, `No such image: ${read.image}`);
  const files = world.volumeFiles.get(read.volume) ?? new Map<string, string>();
  const root = `${read.mountAt.replace(/\/$/, '')}/`;
  return new Map(
    read.paths.map((path) => [path, path.startsWith(root) ? files.get(path.slice(root.length)) : undefined]),
  );
}
