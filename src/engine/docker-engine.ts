// The engine port over dockerode, for one project: each operation is one engine call (or a few), its
// refusals turned into EngineErrors by engineCall, and the answers that mean "already so" (304 on a
// start or stop, 404 on a stop or removal) taken as done.
import type Docker from 'dockerode';
import type { ServiceSpec } from '../stack/model.ts';
import { containerLogs, followContainerLogs } from './container-logs.ts';
import { childProcesses, execIn } from './container-ops.ts';
import { containerCreateOptions } from './container-spec.ts';
import { copyInto, tarOf } from './copy-into.ts';
import type {
  ContainerDetails,
  ContainerEvent,
  ContainerRef,
  CopyItem,
  CreateOptions,
  Engine,
  EngineConnection,
  ExecCommand,
  ExecOutcome,
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
import { STOP_GRACE_SECONDS } from './engine.ts';
import { engineCall } from './engine-error.ts';
import { traitsOf } from './engine-traits.ts';
import { buildImage, ensureImage } from './ensure-image.ts';
import { execPipe, execWithInput } from './exec-stream.ts';
import { exitHistory } from './exit-history.ts';
import { endHelperContainer, startHelperContainer } from './helper-container.ts';
import { hostAddress } from './host-address.ts';
import { pullImage, removeImages } from './image.ts';
import { containerDetails } from './inspect.ts';
import { jobExit } from './job-exit.ts';
import { LABEL, projectFilter } from './labels.ts';
import { networkName, volumeName } from './names.ts';
import { ensureNetwork, ensureVolume } from './network.ts';
import { listContainers, observeProject } from './observe.ts';
import { watchProjectEvents } from './project-events.ts';
import { removeProjectNetwork } from './remove-network.ts';
import { explainStartError } from './start-errors.ts';

const status = (error: unknown) => (error as { statusCode?: number }).statusCode;

/** Runs `call`; an engine answer with one of the `done` status codes means the state asked for already holds. */
async function unlessAlready(done: readonly number[], call: () => Promise<unknown>): Promise<void> {
  try {
    await call();
  } catch (error) {
    if (!done.includes(status(error) ?? 0)) throw error;
  }
}

export class DockerEngine implements Engine {
  readonly docker: Docker;
  readonly connection: EngineConnection;
  readonly project: string;
  readonly labels: Labels;

  constructor(docker: Docker, connection: EngineConnection, project: string, labels: Labels = {}) {
    this.docker = docker;
    this.connection = connection;
    this.project = project;
    this.labels = labels;
  }

  #container(ref: ContainerRef): Docker.Container {
    return this.docker.getContainer(ref.id);
  }

  observe(images?: readonly string[]) {
    const doing = `reading the state of project ${this.project}`;
    return engineCall({ doing }, () => observeProject(this.docker, this.project, images));
  }

  containers(service?: string) {
    const doing = `listing the containers of project ${this.project}`;
    return engineCall({ doing, ...(service ? { service } : {}) }, () =>
      listContainers(this.docker, this.project, service),
    );
  }

  inspect(ref: ContainerRef): Promise<ContainerDetails | undefined> {
    return engineCall({ service: ref.service, doing: 'inspecting the container' }, async () => {
      const info = await this.#container(ref)
        .inspect()
        .catch((error: unknown) => (status(error) === 404 ? undefined : Promise.reject(error)));
      return info && containerDetails(info);
    });
  }

  async create(service: ServiceSpec, options: CreateOptions): Promise<ContainerRef> {
    const { providesHostName } = await engineCall({ doing: 'asking the engine what it is' }, () =>
      traitsOf(this.docker),
    );
    const createOptions = containerCreateOptions(service, {
      hostGateway: !providesHostName,
      project: this.project,
      network: networkName(this.project),
      replica: options.replica,
      configHash: options.configHash,
      extraLabels: { ...this.labels, ...options.labels },
      ...(options.hostPorts ? { hostPorts: options.hostPorts } : {}),
    });
    const created = await engineCall({ service: service.name, doing: 'creating the container' }, () =>
      this.docker.createContainer(createOptions),
    );
    return { id: created.id, service: service.name };
  }

  async start(ref: ContainerRef): Promise<void> {
    try {
      await unlessAlready([304], () => this.#container(ref).start());
    } catch (error) {
      // A host port in use comes back as a message to act on.
      throw explainStartError(error, ref.service);
    }
  }

  stop(ref: ContainerRef, options: { graceSeconds?: number } = {}): Promise<void> {
    const t = options.graceSeconds ?? STOP_GRACE_SECONDS;
    return engineCall({ service: ref.service, doing: 'stopping the container' }, () =>
      unlessAlready([304, 404], () => this.#container(ref).stop({ t })),
    );
  }

  remove(ref: ContainerRef): Promise<void> {
    // v: its anonymous volumes go with it; named ones are the project's data and stay.
    return engineCall({ service: ref.service, doing: 'removing the container' }, () =>
      unlessAlready([404], () => this.#container(ref).remove({ force: true, v: true })),
    );
  }

  restart(ref: ContainerRef): Promise<void> {
    return engineCall({ service: ref.service, doing: 'restarting the container' }, () =>
      this.#container(ref).restart({ t: STOP_GRACE_SECONDS }),
    );
  }

  kill(ref: ContainerRef, signal: string): Promise<void> {
    return engineCall({ service: ref.service, doing: `sending ${signal} to the container` }, () =>
      this.#container(ref).kill({ signal }),
    );
  }

  childProcesses(ref: ContainerRef): Promise<number[]> {
    return engineCall({ service: ref.service, doing: "listing the container's processes" }, () =>
      childProcesses(this.#container(ref)),
    );
  }

  jobExit(ref: ContainerRef, signal: AbortSignal) {
    return engineCall({ service: ref.service, doing: 'waiting for the job to exit' }, () =>
      jobExit(this.#container(ref), signal),
    );
  }

  exec(ref: ContainerRef, command: readonly string[]) {
    return engineCall({ service: ref.service, doing: `running '${command.join(' ')}'` }, () =>
      execIn(this.#container(ref), command),
    );
  }

  execWithInput(ref: ContainerRef, command: ExecCommand, input: string): Promise<ExecOutcome> {
    return engineCall({ service: ref.service, doing: `running '${command.cmd.join(' ')}'` }, () =>
      execWithInput({ ...command, container: this.#container(ref) }, input),
    );
  }

  execPipe(
    from: { container: ContainerRef; command: ExecCommand },
    to: { container: ContainerRef; command: ExecCommand },
  ): Promise<PipeOutcome> {
    const doing = `piping '${from.command.cmd.join(' ')}' into '${to.command.cmd.join(' ')}'`;
    return engineCall({ service: from.container.service, doing }, () =>
      execPipe(
        { ...from.command, container: this.#container(from.container) },
        { ...to.command, container: this.#container(to.container) },
      ),
    );
  }

  copyIn(ref: ContainerRef, files: readonly CopyItem[]): Promise<void> {
    return engineCall({ service: ref.service, doing: 'copying files into the container' }, async () =>
      copyInto(this.#container(ref), await tarOf(files)),
    );
  }

  logs(ref: ContainerRef, options: LogOptions = {}): Promise<string> {
    return engineCall({ service: ref.service, doing: 'reading the logs' }, () =>
      containerLogs(this.#container(ref), options),
    );
  }

  followLogs(ref: ContainerRef, options: FollowOptions): Promise<void> {
    return engineCall({ service: ref.service, doing: 'following the logs' }, () =>
      followContainerLogs(this.docker, this.#container(ref), options),
    );
  }

  exitHistory(ref: ContainerRef) {
    return engineCall({ service: ref.service, doing: 'reading the restarts' }, () =>
      exitHistory(this.docker, ref.id),
    );
  }

  events(onEvent: (event: ContainerEvent) => void, signal: AbortSignal): Promise<void> {
    return engineCall({ doing: `following the events of project ${this.project}` }, () =>
      watchProjectEvents(this.docker, this.project, onEvent, signal),
    );
  }

  ensureImage(need: ImageNeed, report: ImageReporter, signal: AbortSignal): Promise<void> {
    const labels = { [LABEL.project]: this.project, ...this.labels };
    return ensureImage(need, report, {
      pull: (reference, onProgress) => pullImage(this.docker, reference, onProgress, { signal }),
      build: (image, onReport) => buildImage(this.docker, image, onReport, signal, labels),
    });
  }

  removeImage(reference: string): Promise<boolean> {
    return engineCall({ doing: `removing the image ${reference}` }, () =>
      this.docker
        .getImage(reference)
        .remove({ force: true })
        .then(
          () => true,
          (error: unknown) => (status(error) === 404 ? false : Promise.reject(error)),
        ),
    );
  }

  async ensureNetwork(): Promise<void> {
    await engineCall({ doing: `creating the network ${networkName(this.project)}` }, () =>
      ensureNetwork(this.docker, this.project, { ...this.labels }),
    );
  }

  ensureVolume(volume: string, labels: Labels = {}): Promise<void> {
    const name = volumeName(this.project, volume);
    return engineCall({ doing: `creating the volume ${name}` }, () =>
      ensureVolume(this.docker, this.project, name, { ...labels, ...this.labels }),
    );
  }

  hostAddress(first?: string): Promise<HostAddress> {
    return hostAddress(this, first);
  }

  startHelper(spec: HelperSpec): Promise<ContainerRef> {
    return engineCall({ service: spec.name, doing: 'starting the container' }, async () => {
      const container = await startHelperContainer(this.docker, this.project, this.labels, spec);
      return { id: container.id, service: spec.name };
    });
  }

  endHelper(ref: ContainerRef, signal: string): Promise<void> {
    return engineCall({ service: ref.service, doing: 'removing the container' }, () =>
      endHelperContainer(this.#container(ref), signal),
    );
  }

  removeNetwork(): Promise<NetworkRemoval> {
    return engineCall({ doing: `removing the network ${networkName(this.project)}` }, async () => {
      const networks = await this.docker.listNetworks({ filters: projectFilter(this.project) });
      const outcomes = await Promise.all(
        networks.map((n) => removeProjectNetwork(this.docker, n.Id, this.project)),
      );
      const stuck = networks.filter((_, i) => outcomes[i] === 'stuck').map((n) => n.Name);
      return { removed: networks.length - stuck.length, stuck };
    });
  }

  removeVolumes(): Promise<number> {
    return engineCall({ doing: `removing the volumes of project ${this.project}` }, async () => {
      const list = (await this.docker.listVolumes({ filters: projectFilter(this.project) })).Volumes ?? [];
      await Promise.all(list.map((v) => unlessAlready([404], () => this.docker.getVolume(v.Name).remove())));
      return list.length;
    });
  }

  removeBuiltImages(): Promise<number> {
    return engineCall({ doing: `removing the images built for project ${this.project}` }, async () =>
      removeImages(this.docker, await this.docker.listImages({ filters: projectFilter(this.project) })),
    );
  }
}
