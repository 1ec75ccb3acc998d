// What execution reports, for the output layer (listr2 tree, plain lines, NDJSON) and the timeline.

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
}

export interface ServiceTimeline {
  imageStart?: number;
  imageEnd?: number;
  startAt?: number;
  startedAt?: number;
  readyAt?: number;
}

export type EventSink = (event: StackEvent) => void;
