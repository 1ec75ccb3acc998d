// The engine port's vocabulary for mkdev's own work beside the services (engine.ts re-exports it):
// commands with streams, helper containers (a temporary server), volumes read, scripted and labelled,
// and where a process on this machine is reached.

/** A command to run in a container, as a user and with variables of its own. */
export interface ExecCommand {
  readonly cmd: readonly string[];
  /** The user to run as in the container (e.g. postgres). */
  readonly user?: string;
  readonly env?: Readonly<Record<string, string>>;
}

/** A command's outcome with its output streams apart. */
export interface ExecOutcome {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** One command's stdout piped into another's stdin: both outcomes (the first's stdout is not kept). */
export interface PipeOutcome {
  readonly from: ExecOutcome;
  readonly to: ExecOutcome;
  readonly bytes: number;
}

/**
 * A container for one task of mkdev's own (a temporary server over a volume): not a service's, no
 * network but loopback, labelled with the project and this process, so a killed mkdev leaves it to the
 * next reap.
 */
export interface HelperSpec {
  readonly name: string;
  readonly image: string;
  readonly env: Readonly<Record<string, string>>;
  /** Volume name -> where it is mounted. */
  readonly mounts: Readonly<Record<string, string>>;
  readonly labels?: Readonly<Record<string, string>>;
}

/** Where the project's containers reach a process on this machine (host-address.ts). */
export interface HostAddress {
  /** What host.docker.internal resolves to inside the project network: what Consul hands Kong. */
  readonly inNetwork: string;
  /** Where the process on this machine listens so that the address above reaches it. */
  readonly bind: string;
}

/** Small files to read from a named volume (read-volume.ts). */
export interface VolumeRead {
  readonly volume: string;
  /** Any image on the engine: it is never run, the engine needs one to create a container. */
  readonly image: string;
  /** Where the volume is mounted in the reading container; `paths` are absolute under it. */
  readonly mountAt: string;
  readonly paths: readonly string[];
  readonly project: string;
}

/** A shell script over volumes, run by a one-shot container (volume-ops.ts). */
export interface ScriptRun {
  readonly image: string;
  /** Volume name -> where it is mounted. */
  readonly mounts: Readonly<Record<string, { readonly at: string; readonly readOnly?: boolean }>>;
  readonly script: string;
  readonly project: string;
  readonly labels?: Readonly<Record<string, string>>;
}

/** A named volume as the engine describes it. */
export interface VolumeDetails {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
}
