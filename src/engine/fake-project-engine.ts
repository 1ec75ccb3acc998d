// The fake engine for one project (see fake-engine.ts; its containers' lives: fake-containers.ts).
// Every refusal goes through engineCall, as the real engine's do, so it reads the same.
import { once } from 'node:events';
import type { ServiceSpec } from '../stack/model.ts';
import { MKDEV_VERSION } from '../version.ts';
import type {
  ContainerEvent,
  ContainerRef,
  CopyItem,
  CreateOptions,
  Engine,
  EngineConnection,
  ExecCommand,
  ExecOutcome,
  ExitHistory,
  ExitResult,
  FollowOptions,
  HelperSpec,
  HostAddress,
  ImageNeed,
  ImageReporter,
  Labels,
  LogOptions,
  NetworkRemoval,
  PipeOutcome,
} from './engine.ts';
import { type EngineContext, engineCall, engineRefusal } from './engine-error.ts';
import { ensureImage } from './ensure-image.ts';
import {
  containerOf,
  createContainer,
  detailsOf,
  exitContainer,
  observedOf,
  removeContainer,
  startContainer,
  stopContainer,
} from './fake-containers.ts';
import { endHelper, startHelper } from './fake-helpers.ts';
import type { FakeWorld } from './fake-world.ts';
import { hostAddress } from './host-address.ts';
import { LABEL } from './labels.ts';
import { networkName, volumeName } from './names.ts';
import { byServiceAndReplica, type ObservedContainer, type ObservedState } from './observed-state.ts';
import { explainStartError } from './start-errors.ts';

/** What host.docker.internal resolves to in the fake's containers (docker0's address, as on Linux). */
export const FAKE_HOST_ADDRESS = '172.17.0.1';

export class FakeProjectEngine implements Engine {
  readonly connection: EngineConnection;
  readonly project: string;
  readonly labels: Labels;
  readonly #world: FakeWorld;

  constructor(world: FakeWorld, connection: EngineConnection, project: string, labels: Labels) {
    this.#world = world;
    this.connection = connection;
    this.project = project;
    this.labels = labels;
  }

  /** Records the call under the container's name (or id), then runs it as an engine call. */
  #call<T>(method: string, ref: ContainerRef, doing: string, work: () => T): Promise<T> {
    this.#world.record(method, this.#world.find(ref.id)?.name ?? ref.id);
    return engineCall({ service: ref.service, doing }, async () => work());
  }

  #mine(labels: Labels): boolean {
    return labels[LABEL.project] === this.project;
  }

  #labels(): Labels {
    return { [LABEL.project]: this.project, [LABEL.version]: MKDEV_VERSION, ...this.labels };
  }

  #list(service?: string): ObservedContainer[] {
    return [...this.#world.containers.values()]
      .filter((c) => c.project === this.project && (service === undefined || c.service === service))
      .map(observedOf)
      .sort(byServiceAndReplica);
  }

  async observe(named?: readonly string[]): Promise<ObservedState> {
    const world = this.#world;
    world.record('observe', this.project);
    const images = [...world.images].filter(([ref]) => named === undefined || named.includes(ref));
    return {
      containers: this.#list(),
      networkExists: world.networks.has(networkName(this.project)),
      volumes: new Set([...world.volumes].filter(([, v]) => this.#mine(v.labels)).map(([name]) => name)),
      images: new Set(images.map(([ref]) => ref)),
      builtFor: new Map(
        images.flatMap(([ref, i]) => {
          const hash = i.labels[LABEL.buildHash];
          return hash ? [[ref, hash] as const] : [];
        }),
      ),
    };
  }

  async containers(service?: string): Promise<ObservedContainer[]> {
    this.#world.record('containers', service ?? this.project);
    return this.#list(service);
  }

  async inspect(ref: ContainerRef) {
    const c = this.#world.find(ref.id);
    this.#world.record('inspect', c?.name ?? ref.id);
    return c && detailsOf(c);
  }

  create(service: ServiceSpec, options: CreateOptions): Promise<ContainerRef> {
    const name = `${this.project}-${service.name}-${options.replica}`;
    this.#world.record('create', name);
    const ctx: EngineContext = { service: service.name, doing: 'creating the container' };
    return engineCall(ctx, async () =>
      createContainer(this.#world, this.project, this.labels, service, options),
    );
  }

  async start(ref: ContainerRef): Promise<void> {
    this.#world.record('start', this.#world.find(ref.id)?.name ?? ref.id);
    try {
      startContainer(this.#world, containerOf(this.#world, ref));
    } catch (error) {
      throw explainStartError(error, ref.service);
    }
  }

  stop(ref: ContainerRef, options: { graceSeconds?: number } = {}): Promise<void> {
    const grace = options.graceSeconds === undefined ? undefined : `-t ${options.graceSeconds}`;
    this.#world.record('stop', this.#world.find(ref.id)?.name ?? ref.id, grace);
    return engineCall({ service: ref.service, doing: 'stopping the container' }, async () => {
      const c = this.#world.find(ref.id);
      if (c) stopContainer(this.#world, c);
    });
  }

  remove(ref: ContainerRef): Promise<void> {
    return this.#call('remove', ref, 'removing the container', () => {
      const c = this.#world.find(ref.id);
      if (c) removeContainer(this.#world, c);
    });
  }

  restart(ref: ContainerRef): Promise<void> {
    return this.#call('restart', ref, 'restarting the container', () => {
      const c = containerOf(this.#world, ref);
      stopContainer(this.#world, c);
      startContainer(this.#world, c);
    });
  }

  /** The supervisor's signal replaces its child (or, told so, ends it: a bad edit); SIGTERM, SIGINT and SIGKILL stop it; the rest are ignored, as PID 1 ignores signals it has no handler for. */
  kill(ref: ContainerRef, signal: string): Promise<void> {
    this.#world.record('kill', this.#world.find(ref.id)?.name ?? ref.id, signal);
    return engineCall({ service: ref.service, doing: `sending ${signal} to the container` }, async () => {
      const c = containerOf(this.#world, ref);
      if (c.state !== 'running') throw engineRefusal(409, `Container ${c.id} is not running`);
      const behaviour = this.#world.behaviours.get(c.service);
      if (['SIGTERM', 'SIGINT', 'SIGKILL'].includes(signal)) stopContainer(this.#world, c);
      else if (signal === behaviour?.restartSignal) {
        if (behaviour.exitCodeAfterRestart !== undefined)
          exitContainer(this.#world, c, behaviour.exitCodeAfterRestart);
        else c.children = [this.#world.nextPid()];
      }
    });
  }

  async childProcesses(ref: ContainerRef): Promise<number[]> {
    const c = containerOf(this.#world, ref);
    return c.state === 'running' ? [...c.children] : [];
  }

  jobExit(ref: ContainerRef, signal: AbortSignal): Promise<ExitResult> {
    return engineCall({ service: ref.service, doing: 'waiting for the job to exit' }, async () => {
      const c = containerOf(this.#world, ref);
      while (c.state !== 'exited') {
        signal.throwIfAborted();
        await once(this.#world.changed, 'change', { signal });
      }
      return { code: c.exitCode, attempts: c.exitCode === 0 ? 1 : c.restartCount + 1 };
    });
  }

  exec(ref: ContainerRef, command: readonly string[]) {
    this.#world.record('exec', this.#world.find(ref.id)?.name ?? ref.id, command.join(' '));
    return engineCall({ service: ref.service, doing: `running '${command.join(' ')}'` }, async () => {
      const c = containerOf(this.#world, ref);
      if (c.state !== 'running') throw engineRefusal(409, `Container ${c.id} is not running`);
      const answer = this.#world.behaviours.get(c.service || c.name)?.exec?.(command);
      if (answer) return answer;
      // Every container of the fake has the host-gateway entry the real ones get (container-spec.ts).
      if (command.join(' ') === 'getent ahostsv4 host.docker.internal')
        return { exitCode: 0, output: `${FAKE_HOST_ADDRESS}  STREAM host.docker.internal\n` };
      return { exitCode: 0, output: '' };
    });
  }

  async execWithInput(ref: ContainerRef, command: ExecCommand, input: string): Promise<ExecOutcome> {
    const { exitCode, output } = await this.exec(ref, command.cmd);
    this.#world.record('stdin', this.#world.find(ref.id)?.name ?? ref.id, `${input.length} bytes`);
    return { exitCode, stdout: output, stderr: '' };
  }

  async execPipe(
    from: { container: ContainerRef; command: ExecCommand },
    to: { container: ContainerRef; command: ExecCommand },
  ): Promise<PipeOutcome> {
    const out = await this.exec(from.container, from.command.cmd);
    const sink = await this.execWithInput(to.container, to.command, out.output);
    return {
      from: { exitCode: out.exitCode, stdout: '', stderr: '' },
      to: sink,
      bytes: Buffer.byteLength(out.output),
    };
  }

  copyIn(ref: ContainerRef, files: readonly CopyItem[]): Promise<void> {
    return this.#call('copyIn', ref, 'copying files into the container', () => {
      const c = containerOf(this.#world, ref);
      for (const file of files) c.files.set(file.target, file.source);
    });
  }

  logs(ref: ContainerRef, options: LogOptions = {}): Promise<string> {
    return engineCall({ service: ref.service, doing: 'reading the logs' }, async () => {
      const c = containerOf(this.#world, ref);
      const text = this.#world.behaviours.get(c.service || c.name)?.logs ?? '';
      if (options.tail === undefined) return text;
      return text.split('\n').filter(Boolean).slice(-options.tail).join('\n');
    });
  }

  followLogs(ref: ContainerRef, options: FollowOptions): Promise<void> {
    return engineCall({ service: ref.service, doing: 'following the logs' }, async () => {
      const c = containerOf(this.#world, ref);
      const text = await this.logs(ref, options);
      if (text !== '') options.onOutput('stdout', text.endsWith('\n') ? text : `${text}\n`);
      while (c.state === 'running' && this.#world.containers.has(c.id) && !options.signal.aborted) {
        await once(this.#world.changed, 'change', { signal: options.signal }).catch(() => {});
      }
    });
  }

  async exitHistory(ref: ContainerRef): Promise<ExitHistory | undefined> {
    const c = this.#world.find(ref.id);
    if (c === undefined) return undefined;
    return { restarts: c.restartCount, ...(c.finishedAt ? { lastExitCode: c.exitCode } : {}) };
  }

  async events(onEvent: (event: ContainerEvent) => void, signal: AbortSignal): Promise<void> {
    const listener = (project: string, event: ContainerEvent) => {
      if (project === this.project) onEvent(event);
    };
    if (signal.aborted) return;
    this.#world.changed.on('event', listener);
    signal.addEventListener('abort', () => this.#world.changed.off('event', listener), { once: true });
  }

  ensureImage(need: ImageNeed, report: ImageReporter, _signal: AbortSignal): Promise<void> {
    return ensureImage(
      need,
      report,
      this.#world.imageWork({ [LABEL.project]: this.project, ...this.labels }),
    );
  }

  async removeImage(reference: string): Promise<boolean> {
    this.#world.record('removeImage', reference);
    return this.#world.images.delete(reference);
  }

  async ensureNetwork(): Promise<void> {
    const name = networkName(this.project);
    this.#world.record('ensureNetwork', name);
    if (!this.#world.networks.has(name)) this.#world.networks.set(name, { labels: this.#labels() });
  }

  async ensureVolume(volume: string, labels: Labels = {}): Promise<void> {
    const name = volumeName(this.project, volume);
    this.#world.record('ensureVolume', name);
    if (!this.#world.volumes.has(name)) {
      this.#world.volumes.set(name, { labels: { ...labels, ...this.#labels() } });
    }
  }

  hostAddress(first?: string): Promise<HostAddress> {
    return hostAddress(this, first, async () => false);
  }

  startHelper(spec: HelperSpec): Promise<ContainerRef> {
    return engineCall({ service: spec.name, doing: 'starting the container' }, async () =>
      startHelper(this.#world, this.project, spec),
    );
  }

  async endHelper(ref: ContainerRef, signal: string): Promise<void> {
    endHelper(this.#world, ref, signal);
  }

  async removeNetwork(): Promise<NetworkRemoval> {
    this.#world.record('removeNetwork', networkName(this.project));
    // A running container holds an endpoint on its project's network: the engine will not remove it.
    const held = this.#list().some((c) => c.state === 'running');
    const { removed, kept } = this.#world.removeLabelled(this.#world.networks, this.project, () => !held);
    return { removed: removed.length, stuck: kept };
  }

  removeVolumes(): Promise<number> {
    const world = this.#world;
    world.record('removeVolumes', this.project);
    return engineCall({ doing: `removing the volumes of project ${this.project}` }, async () => {
      const used = (name: string) =>
        [...world.containers.values()].find((c) => c.namedVolumes.includes(name));
      return world.removeLabelled(world.volumes, this.project, (name) => {
        const user = used(name);
        if (user) throw engineRefusal(409, `remove ${name}: volume is in use - [${user.id}]`);
        return true;
      }).removed.length;
    });
  }

  async removeBuiltImages(): Promise<number> {
    const world = this.#world;
    world.record('removeBuiltImages', this.project);
    // Never forced: an image a container uses stays.
    const inUse = new Set([...world.containers.values()].map((c) => c.image));
    return world.removeLabelled(world.images, this.project, (ref) => !inUse.has(ref)).removed.length;
  }
}
