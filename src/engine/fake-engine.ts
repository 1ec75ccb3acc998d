// The engine in memory, for unit tests (the world it holds: fake-world.ts). It answers as the real
// engine does (test/support/engine-contract.ts runs the same checks against both): 404 for what is
// gone, 409 for a name taken or a volume in use, "already so" taken as done; its refusals are shaped
// as dockerode's and go through the same translation (engine-error.ts), so they read as the real ones.
import type {
  EngineConnection,
  EngineDescription,
  EngineEndpoint,
  EngineTraits,
  Labels,
  Progress,
  ReapOptions,
  ReapResult,
  ScriptRun,
  VolumeDetails,
  VolumeRead,
} from './engine.ts';
import { engineCall } from './engine-error.ts';
import { readVolumeFiles, removeVolume, volumeDetails } from './fake-helpers.ts';
import { FakeProjectEngine } from './fake-project-engine.ts';
import { FakeWorld, unpullable } from './fake-world.ts';
import { LABEL } from './labels.ts';
import { ownerIsGone, parseOwner } from './owner.ts';
import type { PullProgress } from './pull-progress.ts';

export type { FakeBehaviour, FakeCall, FakeContainer } from './fake-world.ts';

export class FakeEngine extends FakeWorld implements EngineConnection {
  readonly endpoint: EngineEndpoint = {
    kind: 'socket',
    uri: 'unix:///var/run/docker.sock',
    path: '/var/run/docker.sock',
  };
  /** A Linux engine unless a test says otherwise. */
  engineTraits: EngineTraits = {
    product: 'Docker 20.10.24 on the fake',
    inVm: false,
    providesHostName: false,
    rootless: false,
  };

  constructor(options: { images?: readonly string[]; registry?: readonly string[] } = {}) {
    super();
    for (const image of options.images ?? []) this.addImage(image);
    for (const image of options.registry ?? []) this.registry.add(image);
  }

  project(name: string, labels: Labels = {}): FakeProjectEngine {
    return new FakeProjectEngine(this, this, name, labels);
  }

  async reapOrphans(options: ReapOptions = {}): Promise<ReapResult> {
    const dead = (labels: Labels) => {
      const owner = parseOwner(labels[LABEL.owner] ?? '');
      return owner !== undefined && ownerIsGone(owner);
    };
    const containers = [...this.containers.values()].filter((c) => dead(c.labels));
    const networks = [...this.networks].filter(([, n]) => dead(n.labels));
    const volumes = [...this.volumes].filter(([, v]) => dead(v.labels));
    for (const c of containers) this.containers.delete(c.id);
    for (const [name] of networks) this.networks.delete(name);
    for (const [name] of volumes) this.volumes.delete(name);
    // As engine/reap.ts: images only when a dead stack was found, or when asked for all.
    if (containers.length + networks.length + volumes.length > 0 || options.allImages) {
      for (const [reference, image] of this.images) if (dead(image.labels)) this.images.delete(reference);
    }
    this.changed.emit('change');
    const projects = new Set(
      [
        ...containers.map((c) => c.labels),
        ...networks.map(([, n]) => n.labels),
        ...volumes.map(([, v]) => v.labels),
      ].map((l) => l[LABEL.project] ?? '?'),
    );
    return {
      projects: [...projects],
      containers: containers.length,
      networks: networks.length,
      volumes: volumes.length,
    };
  }

  async portHolder(port: number): Promise<string | undefined> {
    const holder = [...this.containers.values()].find(
      (c) => c.state === 'running' && Object.values(c.ports).includes(port),
    );
    return holder ? `container ${holder.name}` : undefined;
  }

  async imagePresent(reference: string): Promise<boolean> {
    return this.images.has(reference);
  }

  async whyNotPullable(reference: string): Promise<string | undefined> {
    return this.registry.has(reference) ? undefined : unpullable(reference);
  }

  async pushImage(reference: string, _service: string, onProgress: Progress): Promise<void> {
    this.record('pushImage', reference);
    onProgress(`pushed ${reference}`);
  }

  async describe(): Promise<EngineDescription> {
    return {
      version: '20.10.24',
      apiVersion: '1.41',
      memoryBytes: 8 * 1024 ** 3,
      rootDir: '/var/lib/docker',
      product: this.engineTraits.product,
    };
  }

  async traits(): Promise<EngineTraits> {
    this.record('traits', this.engineTraits.product);
    return this.engineTraits;
  }

  pullImage(
    reference: string,
    _signal?: AbortSignal,
    onProgress: (progress: PullProgress) => void = () => {},
  ): Promise<void> {
    return engineCall({ doing: `pulling ${reference}` }, () =>
      this.imageWork({}).pull(reference, onProgress),
    );
  }

  async imageEnv(reference: string): Promise<readonly string[] | undefined> {
    return this.images.get(reference)?.env;
  }

  async volume(name: string): Promise<VolumeDetails | undefined> {
    return volumeDetails(this, name);
  }

  async volumesLabelled(label: string, value: string): Promise<VolumeDetails[]> {
    return [...this.volumes]
      .filter(([, v]) => v.labels[label] === value)
      .map(([name, v]) => ({ name, labels: v.labels }));
  }

  createVolume(name: string, labels: Labels): Promise<void> {
    this.record('createVolume', name);
    return engineCall({ doing: `creating the volume ${name}` }, async () => {
      if (!this.volumes.has(name)) this.volumes.set(name, { labels });
    });
  }

  removeVolume(name: string): Promise<void> {
    return engineCall({ doing: `removing the volume ${name}` }, async () => removeVolume(this, name));
  }

  readVolumeFiles(read: VolumeRead): Promise<Map<string, string | undefined>> {
    return engineCall({ doing: `reading the volume ${read.volume}` }, async () =>
      readVolumeFiles(this, read),
    );
  }

  async runOnVolumes(run: ScriptRun, what: string): Promise<string> {
    this.record('runOnVolumes', Object.keys(run.mounts).join(','), what);
    return this.scriptOutput(what);
  }
}
