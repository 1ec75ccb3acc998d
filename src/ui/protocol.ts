// What the dashboard's server sends its page: shared by both sides, types only (the page is bundled
// separately by esbuild, so nothing here may import Node code at run time).
import type { KvNode } from '../platform/consul-kv-tree.ts';
import type { RouteMetrics } from '../platform/prometheus-query.ts';
import type { MessagingView } from '../platform/rabbitmq-overview.ts';
import type { RouteCheck, RouteHop } from '../platform/route-map.ts';
import type { LastUp } from '../project/last-up.ts';
import type { ReplicaStatus } from '../project/service-status.ts';

export interface HealthSample {
  /** ms since the epoch. */
  readonly at: number;
  readonly ready: boolean | null;
}

/** A replica's status as `mkdev status` reports it, with what the dashboard adds. */
export interface ServiceView extends Omit<ReplicaStatus, 'restarts'> {
  /** The image as the stack names it (the official reference)... */
  readonly image: string;
  /** ...and the one that runs, after the image map (a mirror, the offline set). */
  readonly localImage: string;
  readonly built: boolean;
  readonly oneShot: boolean;
  /** Starts of this replica's container seen by the dashboard after the first. */
  readonly restarts: number;
  readonly history: readonly HealthSample[];
}

export interface EndpointView {
  readonly service: string;
  readonly name: string;
  readonly value: string;
}

/** A section read from the platform: its data, or why it could not be read. */
export interface Section<T> {
  readonly data?: T;
  readonly error?: string;
  /** ms since the epoch. */
  readonly at: number;
}

export interface KvView {
  readonly nodes: readonly KvNode[];
  /** Keys the stack writes itself (the kong-migrations flag), with when their writer finished. */
  readonly written: readonly { readonly key: string; readonly by: string; readonly at?: string }[];
}

export interface DashboardState {
  readonly project: string;
  readonly host: string;
  readonly services?: Section<readonly ServiceView[]>;
  readonly endpoints?: readonly EndpointView[];
  readonly lastUp?: LastUp | null;
  readonly routes?: Section<readonly RouteHop[]>;
  readonly messaging?: Section<MessagingView>;
  /** Each queue's depth ("vhost/name"), one reading every 5 s, the last 5 minutes: the sparklines. */
  readonly queueDepths?: Readonly<Record<string, readonly number[]>>;
  readonly kv?: Section<KvView>;
  readonly metrics?: Section<readonly RouteMetrics[]>;
}

export interface LogEntry {
  readonly seq: number;
  /** ms since the epoch, when the dashboard received it. */
  readonly at: number;
  readonly service: string;
  readonly replica: string;
  readonly stream: 'stdout' | 'stderr';
  readonly text: string;
}

export interface ActionResult {
  readonly ok: boolean;
  readonly message: string;
}

export interface TryResult extends ActionResult {
  readonly check?: RouteCheck;
  /** The trace the request was sent under (its traceparent): Kong keeps it, so it names the request's trace. */
  readonly traceId?: string;
}
