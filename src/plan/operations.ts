// The plan as operations, as docker/compose's reconciliation plan has them: each one engine call (or
// one wait), why it is needed, and the operations it comes after. plan-operations.ts decides them,
// purely; execute.ts runs each once what it comes after is done, and decides nothing.
import type { ImageNeed, Labels } from '../engine/engine.ts';
import type { Action } from '../stack/model.ts';
import type { StepName } from './events.ts';

export type Milestone = 'started' | 'ready' | 'completed';

interface Common {
  /** Its number in the plan: operations come after lower numbers only. */
  readonly id: number;
  /** Whose work it is: the services it is reported to (an image two services share: both). */
  readonly services: readonly string[];
  /** What it acts on: a network, volume or image by name, a container by name, or a service. */
  readonly resource: string;
  /** Why it is needed. */
  readonly cause: string;
  /** Operations that must be done first. */
  readonly after: readonly number[];
  /** What its services show when it begins. */
  readonly report?: { readonly step: StepName; readonly message: string };
}

interface ContainerOperation extends Common {
  readonly service: string;
  readonly replica: number;
}

export type Operation =
  | (Common & { readonly type: 'create-network' })
  | (Common & {
      readonly type: 'create-volume';
      readonly volume: string;
      /** What it is created for (the image and data version: volume labels), besides the project's. */
      readonly labels?: Labels;
    })
  /** Pull, build, or nothing (present): once per image, whoever needs it. */
  | (Common & { readonly type: 'ensure-image'; readonly need: ImageNeed })
  /** Waits for other services' milestones (its depends_on). */
  | (Common & { readonly type: 'wait-for'; readonly service: string; readonly on: readonly number[] })
  /** A job's completion flags, cleared before it runs again. */
  | (Common & { readonly type: 'clear-flags'; readonly service: string; readonly actions: readonly Action[] })
  | (ContainerOperation & {
      readonly type: 'keep-container';
      readonly containerId: string;
      /** Its published ports as observed: its probes and actions need no inspect of it. */
      readonly ports: Readonly<Record<string, number>>;
    })
  | (ContainerOperation & { readonly type: 'stop-container'; readonly containerId: string })
  | (ContainerOperation & { readonly type: 'remove-container'; readonly containerId: string })
  | (ContainerOperation & {
      readonly type: 'create-container';
      readonly configHash: string;
      /** Its place at the start gate: the stack's declaration order. */
      readonly priority: number;
    })
  | (ContainerOperation & {
      readonly type: 'start-container';
      /** An existing container, or the one an earlier create-container made. */
      readonly container: { readonly id: string } | { readonly createdBy: number };
      readonly priority: number;
    })
  /** A job's container run to completion (exit 0). */
  | (ContainerOperation & { readonly type: 'await-exit'; readonly containerFrom: number })
  /** A service's readiness probes pass on one replica. */
  | (ContainerOperation & {
      readonly type: 'await-ready';
      readonly containerFrom: number;
      /**
       * The waits for its dependencies, when it is probed ahead of them (a service kept running): a
       * failed probe is reported only once they are over, so a dependency that failed is named first.
       */
      readonly probedAhead?: readonly number[];
    })
  | (Common & {
      readonly type: 'run-action';
      readonly service: string;
      readonly action: Action;
      /** An after_ready action acts on its own service. */
      readonly onSelf: boolean;
    })
  /** A service reached a milestone: what other services wait for. */
  | (Common & {
      readonly type: 'reach';
      readonly service: string;
      readonly milestone: Milestone;
      /** For `started`: the operation that gave its first replica, where actions and probes reach it. */
      readonly firstReplicaFrom?: number;
    });

export type OperationType = Operation['type'];

/** Operations that change what the engine has; the rest wait, probe, run actions or keep. */
export function changesEngine(op: Operation): boolean {
  switch (op.type) {
    case 'create-network':
    case 'create-volume':
    case 'clear-flags':
    case 'stop-container':
    case 'remove-container':
    case 'create-container':
    case 'start-container':
      return true;
    case 'ensure-image':
      return op.need.step !== 'present';
    default:
      return false;
  }
}

/** What an operation does, in words: "build image", "stop container", "ready". */
export function operationVerb(op: Operation): string {
  if (op.type === 'ensure-image') {
    return { present: 'use image', pull: 'pull image', build: 'build image', absent: 'missing image' }[
      op.need.step
    ];
  }
  if (op.type === 'reach') return `reach ${op.milestone}`;
  return op.type.replace('-', ' ');
}
