// What execution reports, for the output layer (listr2 tree, plain lines, NDJSON) and the timeline.
import type { PullProgress } from '../engine/pull-progress.ts';

export type StepName =
  | 'pull'
  | 'build'
  | 'image-ready'
  | 'waiting'
  | 'create'
  | 'recreate'
  | 'start'
  | 'kept'
  | 'remove'
  | 'probe'
  | 'ready'
  | 'completed'
  | 'action'
  | 'failed'
  | 'cancelled';

export interface StackEvent {
  readonly service: string;
  readonly step: StepName;
  readonly message: string;
  /** ms since execution began. */
  readonly at: number;
  /** A pull's progress in numbers (step 'pull'), beside the message that says it in words. */
  readonly pull?: PullProgress;
}

export interface ServiceTimeline {
  imageStart?: number;
  imageEnd?: number;
  startAt?: number;
  startedAt?: number;
  readyAt?: number;
}

export type EventSink = (event: StackEvent) => void;
