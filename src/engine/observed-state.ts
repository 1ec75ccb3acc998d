// Observed state: what the engine has for a project, read through labels and nothing else. The plan
// is computed from it; status, env and the dashboard read it.

export interface ObservedContainer {
  readonly id: string;
  readonly name: string;
  readonly service: string;
  readonly replica: number;
  readonly configHash: string;
  readonly state: string;
  /** Exit code, when the container has exited. */
  readonly exitCode: number | undefined;
  readonly oneShot: boolean;
  readonly labels: Readonly<Record<string, string>>;
  /** Published ports: "8001/tcp" -> host port. */
  readonly ports: Readonly<Record<string, number>>;
  /** The image it runs (the engine's id). */
  readonly image?: string;
  /** The named volumes it mounts (the engine's names). */
  readonly volumes?: readonly string[];
  /** Its address on the project network, while it is attached. */
  readonly address?: string;
}

export interface ObservedState {
  readonly containers: readonly ObservedContainer[];
  readonly networkExists: boolean;
  readonly volumes: ReadonlySet<string>;
  readonly images: ReadonlySet<string>;
  /** For images mkdev built: tag -> the hash of what it was built from (label dev.mkdev.build-hash). */
  readonly builtFor: ReadonlyMap<string, string>;
}

/** What readers of endpoints need of an observation: its containers (a listing of them will do). */
export type ObservedContainers = Pick<ObservedState, 'containers'>;

/** A service's first replica when it is running: where a service is reached from outside. */
export function firstRunning(observed: ObservedContainers, service: string): ObservedContainer | undefined {
  return observed.containers.find((c) => c.service === service && c.replica === 1 && c.state === 'running');
}

/**
 * By service, then replica: the order every listing comes in, whichever engine answers. Names compare
 * by code unit, not localeCompare: the same order for the names a stack allows, and no collator to set
 * up (about 8 ms of CPU at its first use, on the path of every command).
 */
export function byServiceAndReplica(a: ObservedContainer, b: ObservedContainer): number {
  return byCodeUnit(a.service, b.service) || a.replica - b.replica;
}

export function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
