// The engine port: every operation mkdev asks of the container engine, in mkdev's own terms. An
// `Engine` is scoped to one project: what it lists is the project's (found by label), what it creates
// carries the project's labels. An `EngineConnection` is the engine as a whole: what mkdev asks beyond
// one project (reaping dead test stacks, who holds a port, whether an image can be pulled).
// docker-engine.ts implements both over dockerode; fake-engine.ts holds everything in memory for unit
// tests, and test/support/engine-contract.ts holds both to the same answers.
//
// One error policy, whichever implementation: a refusal of the engine rejects with an EngineError (a
// UserError naming the service, what was being done, the engine's own words and a hint, with the
// engine's status code kept: 404 gone, 409 conflict). Asking for a state that already holds is not a
// refusal: stopping a stopped container, starting a running one, removing what is gone all resolve.

import type { ServiceSpec } from '../stack/model.ts';
import type { EngineEndpoint } from './engine-discovery.ts';
import type {
  ExecCommand,
  ExecOutcome,
  HelperSpec,
  HostAddress,
  PipeOutcome,
  ScriptRun,
  VolumeDetails,
  VolumeRead,
} from './engine-tools.ts';
import type { EngineTraits } from './engine-traits.ts';
import type { ObservedContainer, ObservedState } from './observed-state.ts';
import type { PullProgress } from './pull-progress.ts';

export type {
  EngineEndpoint,
  EngineTraits,
  ExecCommand,
  ExecOutcome,
  HelperSpec,
  HostAddress,
  PipeOutcome,
  ScriptRun,
  VolumeDetails,
  VolumeRead,
};

export type Labels = Readonly<Record<string, string>>;

/**
 * Compose's and Docker's default time to stop: enough for a database to finish initialising or shut
 * down cleanly. Most of the default stack stops within a second; RabbitMQ 4 takes ~2 s.
 */
export const STOP_GRACE_SECONDS = 10;

/** A container as operations name it: the engine's id (or the container's name), and its service for messages. */
export interface ContainerRef {
  readonly id: string;
  readonly service: string;
}

/** Host addresses and ports a container holds, per container port ("8001/tcp"). */
export type HostBindings = Readonly<Record<string, readonly { hostIp: string; hostPort: string }[]>>;

/** One container as the engine describes it now. */
export interface ContainerDetails {
  readonly id: string;
  readonly name: string;
  readonly running: boolean;
  readonly restarting: boolean;
  /** The exit code of its last run; 0 until it has exited once. */
  readonly exitCode: number;
  /** How often its restart policy restarted it. */
  readonly restartCount: number;
  /** When it last exited (ISO time), or undefined until it has exited once. */
  readonly finishedAt: string | undefined;
  readonly labels: Labels;
  /** Published ports: "8001/tcp" -> host port. */
  readonly ports: Readonly<Record<string, number>>;
  /** The same ports with their host addresses: what a replacement holds to keep them. */
  readonly bindings: HostBindings;
}

export interface CreateOptions {
  readonly replica: number;
  /** Stored on the container: the next plan compares it with the stack's. */
  readonly configHash: string;
  /** Labels on top of the project's (a replacement keeps its predecessor's). */
  readonly labels?: Labels;
  /** Host ports to hold instead of the ones the service asks for (a replacement keeps its predecessor's). */
  readonly hostPorts?: HostBindings;
}

export interface ExitResult {
  readonly code: number;
  /** Runs it took: a restart policy retries a failing job. */
  readonly attempts: number;
}

export interface ExecResult {
  readonly exitCode: number;
  readonly output: string;
}

/** A host file and where it goes in a container (an absolute path). */
export interface CopyItem {
  readonly source: string;
  readonly target: string;
}

export interface LogOptions {
  /** The last lines only. */
  readonly tail?: number;
  /** From this time on (Unix seconds). */
  readonly since?: number;
}

export interface FollowOptions extends LogOptions {
  readonly signal: AbortSignal;
  /** Each piece of output as it comes, by stream. */
  readonly onOutput: (stream: 'stdout' | 'stderr', text: string) => void;
}

/** What the engine remembers of a container's crashes. */
export interface ExitHistory {
  readonly restarts: number;
  /** The exit code of its last run, once it has exited at least once. */
  readonly lastExitCode?: number;
}

/** A container event of the project: start, die, kill, stop, destroy... */
export interface ContainerEvent {
  readonly action: string;
  readonly id: string;
  readonly name: string;
  readonly service: string;
  readonly replica: number;
}

/**
 * What a service's image needs: nothing, a pull, or a build; `absent`: it is not there and may not be
 * pulled (`up --pull never`), which preflight reports before anything is created.
 */
export type ImageStep = 'present' | 'pull' | 'build' | 'absent';

export interface ImageNeed {
  readonly service: ServiceSpec;
  readonly step: ImageStep;
  /** Stored on a built image: what it was built from, so the next plan knows whether to rebuild. */
  readonly buildHash: string;
}

/** What image work reports; a pull's progress also comes as numbers (layers and bytes). */
export type ImageReporter = (
  step: 'pull' | 'build' | 'image-ready',
  message: string,
  pull?: PullProgress,
) => void;

export type Progress = (message: string) => void;

/** What removing a project's network came to; `stuck`: the engine would not remove these (remove-network.ts). */
export interface NetworkRemoval {
  readonly removed: number;
  readonly stuck: readonly string[];
}

export interface ReapOptions {
  /** List the engine's images even when no dead stack was found (`mkdev prune`). */
  readonly allImages?: boolean;
}

export interface ReapResult {
  readonly projects: readonly string[];
  readonly containers: number;
  readonly networks: number;
  readonly volumes: number;
}

export interface EngineDescription {
  readonly version: string;
  readonly apiVersion: string;
  /** Memory the engine can give containers, in bytes (0 when it does not say). */
  readonly memoryBytes: number;
  /** Where the engine keeps images and volumes. */
  readonly rootDir: string;
  /** For people: "Docker Desktop", "Docker 27.1 on Ubuntu 24.04" (engine-traits.ts). */
  readonly product: string;
}

/** The engine, for one project. */
export interface Engine {
  readonly project: string;
  /** The labels everything this engine creates carries besides the project's (a test stack's owner). */
  readonly labels: Labels;
  readonly connection: EngineConnection;

  /**
   * The project's containers, network and volumes, and images: the references named (whether each is
   * present, and its build hash), or every image the engine has when none are named. Name them: an
   * engine lists its images slowly (a second on some), and `[]` when no image matters.
   */
  observe(images?: readonly string[]): Promise<ObservedState>;
  /** The project's containers (one service's, when named), by service and replica. */
  containers(service?: string): Promise<ObservedContainer[]>;

  /** The container now, or undefined when it is gone. */
  inspect(container: ContainerRef): Promise<ContainerDetails | undefined>;
  /** Creates (not starts) a replica of a service on the project's network; 409 when its name is taken. */
  create(service: ServiceSpec, options: CreateOptions): Promise<ContainerRef>;
  start(container: ContainerRef): Promise<void>;
  /** SIGTERM, then SIGKILL after the grace period (default STOP_GRACE_SECONDS). */
  stop(container: ContainerRef, options?: { graceSeconds?: number }): Promise<void>;
  /** Removes it (killing it if it runs) with its anonymous volumes; named volumes stay. */
  remove(container: ContainerRef): Promise<void>;
  /** Stops it (STOP_GRACE_SECONDS) and starts it again; starts one that had exited. */
  restart(container: ContainerRef): Promise<void>;
  /** Waits until a job has exited for good (its restart policy gives up); rejects when the signal aborts. */
  jobExit(container: ContainerRef, signal: AbortSignal): Promise<ExitResult>;
  /** Sends a signal (e.g. 'SIGHUP') to its main process; 409 when it is not running. */
  kill(container: ContainerRef, signal: string): Promise<void>;
  /**
   * The host ids of its processes other than its main one (its main process's children), warm standbys
   * aside (a supervisor's spare, which serves nothing: container-ops.ts); [] when it is not running.
   */
  childProcesses(container: ContainerRef): Promise<number[]>;
  /** Runs a command in a running container; 409 when it is not running. */
  exec(container: ContainerRef, command: readonly string[]): Promise<ExecResult>;
  /** Runs a command with `input` on its stdin (closed at its end); its output in full. */
  execWithInput(container: ContainerRef, command: ExecCommand, input: string): Promise<ExecOutcome>;
  /** `from`'s stdout into `to`'s stdin as a shell pipe would, streamed with backpressure, never on disk. */
  execPipe(
    from: { container: ContainerRef; command: ExecCommand },
    to: { container: ContainerRef; command: ExecCommand },
  ): Promise<PipeOutcome>;
  /** Copies host files into it (running or not). */
  copyIn(container: ContainerRef, files: readonly CopyItem[]): Promise<void>;
  /** Its output so far, stdout and stderr interleaved. */
  logs(container: ContainerRef, options?: LogOptions): Promise<string>;
  /** Its output as it comes, until it stops or the signal aborts. */
  followLogs(container: ContainerRef, options: FollowOptions): Promise<void>;
  exitHistory(container: ContainerRef): Promise<ExitHistory | undefined>;
  /** Hands on the project's container events until the signal aborts; resolves once they come. */
  events(onEvent: (event: ContainerEvent) => void, signal: AbortSignal): Promise<void>;

  /** Makes a service's image available: present, pulled, or built (labelled as the project's). */
  ensureImage(need: ImageNeed, report: ImageReporter, signal: AbortSignal): Promise<void>;
  /** Removes an image by reference, even if a container uses it; false when there was none. */
  removeImage(reference: string): Promise<boolean>;
  /** Creates the project's network unless it exists. */
  ensureNetwork(): Promise<void>;
  /** Creates one of the project's named volumes unless it exists; `labels` besides the project's. */
  ensureVolume(volume: string, labels?: Labels): Promise<void>;
  /**
   * Where the project's containers reach a process on this machine (host.docker.internal as they
   * resolve it, `first` service's containers asked first) and where that process listens.
   */
  hostAddress(first?: string): Promise<HostAddress>;
  /** Creates and starts a helper container (replacing a leftover of the same name). */
  startHelper(spec: HelperSpec): Promise<ContainerRef>;
  /** Sends the helper `signal` (a clean shutdown), waits for it to exit, removes it. */
  endHelper(container: ContainerRef, signal: string): Promise<void>;
  removeNetwork(): Promise<NetworkRemoval>;
  /** Removes the project's named volumes; returns how many. */
  removeVolumes(): Promise<number>;
  /** Removes the images built for the project, never forcibly (one in use elsewhere stays); returns how many. */
  removeBuiltImages(): Promise<number>;
}

/** The engine as a whole. */
export interface EngineConnection {
  /** Where the engine is reached (engine-discovery.ts). */
  readonly endpoint: EngineEndpoint;
  /** What kind of engine answers: the differences mkdev acts on (engine-traits.ts). */
  traits(): Promise<EngineTraits>;
  /** The engine for one project; everything it creates also carries `labels`. */
  project(name: string, labels?: Labels): Engine;
  /**
   * Removes the stacks whose owning process is gone (engine/owner.ts); their images when it found one,
   * or always with `allImages` (engine/reap.ts says why).
   */
  reapOrphans(options?: ReapOptions): Promise<ReapResult>;
  /** Who holds a host port, when a container does (else the local process, when it can be told). */
  portHolder(port: number): Promise<string | undefined>;
  imagePresent(reference: string): Promise<boolean>;
  /** Undefined when the registry has the image, else why it cannot be pulled; asks without pulling. */
  whyNotPullable(reference: string): Promise<string | undefined>;
  /** Pulls an image (whoever needs it: `mkdev pull`, a reader of a volume, an older server). */
  pullImage(
    reference: string,
    signal?: AbortSignal,
    onProgress?: (progress: PullProgress) => void,
  ): Promise<void>;
  /** The image's environment (its ENV lines), or undefined when the engine does not have it. */
  imageEnv(reference: string): Promise<readonly string[] | undefined>;
  /** A named volume, or undefined when the engine has none of that name. */
  volume(name: string): Promise<VolumeDetails | undefined>;
  /** The volumes whose label `label` has `value`. */
  volumesLabelled(label: string, value: string): Promise<VolumeDetails[]>;
  createVolume(name: string, labels: Labels): Promise<void>;
  /** Removes a named volume; resolves when it is gone already. */
  removeVolume(name: string): Promise<void>;
  /** Small files of a volume, read without running anything (undefined where it has no such file). */
  readVolumeFiles(read: VolumeRead): Promise<Map<string, string | undefined>>;
  /** Runs a shell script over volumes in a throwaway container to its end; its output (volume-ops.ts). */
  runOnVolumes(run: ScriptRun, what: string): Promise<string>;
  /** Pushes an image to its registry; `service` names it in messages. */
  pushImage(reference: string, service: string, onProgress: Progress): Promise<void>;
  describe(): Promise<EngineDescription>;
}
