// The fake engine's world (see fake-engine.ts): containers, networks, volumes and images held in maps,
// every call recorded, nothing random (ids, ports and times are counted).
import { EventEmitter } from 'node:events';
import type { RestartPolicy } from '../stack/model.ts';
import type { ExecResult, Labels } from './engine.ts';
import { buildFailure, type ImageWork } from './ensure-image.ts';
import { pullFailure } from './image.ts';
import { LABEL } from './labels.ts';
import { type PullStreamEvent, PullTracker } from './pull-progress.ts';

/** How a service's containers behave once started (by service name). */
export interface FakeBehaviour {
  /** Exits with this code right after it starts (a job, or a crash); else it runs until stopped. */
  readonly exitCode?: number;
  /** What it has logged. */
  readonly logs?: string;
  /** The answer to a command run in it (default: exit 0, no output). */
  readonly exec?: (command: readonly string[]) => ExecResult;
  /** Its main process is a supervisor with one child, which this signal replaces in place. */
  readonly restartSignal?: string;
  /** After `restartSignal` the new child fails and the container exits with this code (a bad edit). */
  readonly exitCodeAfterRestart?: number;
}

export interface FakeContainer {
  readonly id: string;
  readonly name: string;
  readonly project: string;
  readonly service: string;
  readonly image: string;
  readonly command: readonly string[] | undefined;
  readonly labels: Labels;
  readonly restart: RestartPolicy;
  /** Container port -> the host port it asks for (0: any free one). */
  readonly published: Readonly<Record<string, number>>;
  readonly namedVolumes: readonly string[];
  readonly anonymousVolumes: readonly string[];
  state: 'created' | 'running' | 'exited';
  exitCode: number;
  restartCount: number;
  finishedAt: string | undefined;
  ports: Record<string, number>;
  /** Files copied in: container path -> host file. */
  readonly files: Map<string, string>;
  /** Its address on the project network. */
  readonly address: string;
  /** Its main process's children (pids), while it runs: one under a supervisor (restartSignal), else none. */
  children: number[];
}

export interface FakeImage {
  readonly labels: Labels;
  /** Paths the image declares as VOLUME: each container gets an anonymous volume there. */
  readonly volumes: readonly string[];
  /** Its ENV lines ("PG_MAJOR=17"). */
  readonly env: readonly string[];
}

export interface FakeResource {
  readonly labels: Labels;
}

export interface FakeCall {
  readonly method: string;
  /** What it was called on: a container's name, an image reference, a network or volume name. */
  readonly target: string;
  /** An option that matters (a stop's grace period). */
  readonly detail?: string;
}

const SECOND = 1000;
const EPOCH = Date.UTC(2026, 0, 1);

export class FakeWorld {
  readonly containers = new Map<string, FakeContainer>();
  readonly networks = new Map<string, FakeResource>();
  readonly volumes = new Map<string, FakeResource>();
  readonly images = new Map<string, FakeImage>();
  /** References a pull finds. */
  readonly registry = new Set<string>();
  readonly calls: FakeCall[] = [];
  readonly behaviours = new Map<string, FakeBehaviour>();
  /** What a build's Dockerfile declares as VOLUME, by image reference: its containers get anonymous volumes there. */
  readonly dockerfileVolumes = new Map<string, readonly string[]>();
  /** Build failures to report, by image reference: what the builder said. */
  readonly buildFailures = new Map<string, string>();
  /** What volumes hold: volume name -> path under its root ("PG_VERSION") -> text. */
  readonly volumeFiles = new Map<string, Map<string, string>>();
  /** The output of a script run over volumes (runOnVolumes), by what it does; default: none. */
  scriptOutput: (what: string) => string = () => '';
  /** Containers, networks and volumes changed: waiters look again. */
  readonly changed = new EventEmitter();
  #ids = 0;
  #ports = 49152;
  #pids = 100;
  #addresses = 0;
  #clock = 0;

  constructor() {
    this.changed.setMaxListeners(0);
  }

  addImage(reference: string, image: Partial<FakeImage> = {}): void {
    this.images.set(reference, {
      labels: image.labels ?? {},
      volumes: image.volumes ?? [],
      env: image.env ?? [],
    });
  }

  behave(service: string, behaviour: FakeBehaviour): void {
    this.behaviours.set(service, behaviour);
  }

  record(method: string, target: string, detail?: string): void {
    this.calls.push({ method, target, ...(detail === undefined ? {} : { detail }) });
  }

  /** The calls as `method target [detail]` lines, in order: what a test reads. */
  log(filter: (call: FakeCall) => boolean = () => true): string[] {
    return this.calls.filter(filter).map((c) => [c.method, c.target, c.detail].filter(Boolean).join(' '));
  }

  nextId(kind: string): string {
    this.#ids += 1;
    return `${kind}${String(this.#ids).padStart(4, '0')}`;
  }

  nextAddress(): string {
    this.#addresses += 1;
    return `172.30.${Math.floor(this.#addresses / 250)}.${(this.#addresses % 250) + 2}`;
  }

  nextPid(): number {
    this.#pids += 1;
    return this.#pids;
  }

  nextFreePort(): number {
    this.#ports += 1;
    return this.#ports;
  }

  now(): string {
    this.#clock += 1;
    return new Date(EPOCH + this.#clock * SECOND).toISOString();
  }

  /** Pulls from `registry`, builds anything (unless told in `buildFailures`), images labelled `labels`. */
  imageWork(labels: Labels): ImageWork {
    return {
      pull: async (reference, onProgress) => {
        this.record('pull', reference);
        if (!this.registry.has(reference)) throw pullFailure(reference, unpullable(reference));
        const tracker = new PullTracker(reference);
        for (const event of SYNTHETIC_PULL) {
          const progress = tracker.feed(event);
          if (progress) onProgress(progress);
        }
        this.addImage(reference);
      },
      build: async ({ service, buildHash }, report) => {
        this.record('build', service.image);
        report('build', `building ${service.image} from ${service.build?.context}`);
        const failed = this.buildFailures.get(service.image);
        if (failed !== undefined) throw buildFailure(service, failed, [failed]);
        const volumes = this.dockerfileVolumes.get(service.image) ?? [];
        this.addImage(service.image, { labels: { ...labels, [LABEL.buildHash]: buildHash }, volumes });
      },
    };
  }

  /** Removes the project's resources of one kind (by label) that `removable` lets go; names what went and stayed. */
  removeLabelled(
    kind: Map<string, { readonly labels: Labels }>,
    project: string,
    removable: (name: string) => boolean,
  ): { removed: string[]; kept: string[] } {
    const mine = [...kind].filter(([, r]) => r.labels[LABEL.project] === project).map(([name]) => name);
    const removed = mine.filter(removable);
    for (const name of removed) kind.delete(name);
    return { removed, kept: mine.filter((name) => !removed.includes(name)) };
  }

  /** The container by id or name, as the engine looks one up. */
  find(idOrName: string): FakeContainer | undefined {
    return this.containers.get(idOrName) ?? [...this.containers.values()].find((c) => c.name === idOrName);
  }
}

/** A pull as the engine streams it, shortened: one layer already there, two downloaded (4 MB and 1 MB). */
const SYNTHETIC_PULL: readonly PullStreamEvent[] = [
  { status: 'Already exists', id: 'base' },
  { status: 'Pulling fs layer', id: 'big' },
  { status: 'Pulling fs layer', id: 'small' },
  { status: 'Downloading', id: 'big', progressDetail: { current: 1_000_000, total: 4_000_000 } },
  { status: 'Downloading', id: 'small', progressDetail: { current: 1_000_000, total: 1_000_000 } },
  { status: 'Downloading', id: 'big', progressDetail: { current: 3_000_000, total: 4_000_000 } },
  { status: 'Download complete', id: 'big' },
  { status: 'Pull complete', id: 'big' },
  { status: 'Download complete', id: 'small' },
  { status: 'Pull complete', id: 'small' },
];

/** What the engine says when a registry does not have an image. */
export function unpullable(reference: string): string {
  return `pull access denied for ${reference.replace(/:[^/:]*$/, '')}, repository does not exist or may require 'docker login'`;
}
