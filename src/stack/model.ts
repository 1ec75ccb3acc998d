// The resolved stack: what the planner and engine work from. Every value here is concrete: images
// mapped, variables interpolated, secrets generated, durations in milliseconds.

import type { Role } from './roles.ts';

export type DependencyCondition = 'started' | 'ready' | 'completed';

export interface PortMapping {
  readonly target: number;
  /** 0 lets the engine choose a free host port. */
  readonly published: number;
  readonly hostIp: string;
  readonly protocol: 'tcp' | 'udp';
}

export interface VolumeMount {
  /** A named volume (project-scoped) or an absolute host path. */
  readonly source: string;
  readonly kind: 'volume' | 'bind';
  readonly target: string;
  readonly readOnly: boolean;
}

export type ReadyProbe =
  | {
      readonly kind: 'http';
      readonly port: number;
      readonly path: string;
      readonly status?: number;
      readonly scheme: 'http' | 'https';
      readonly basicAuth?: { user: string; password: string };
      readonly bodyIncludes?: string;
    }
  | { readonly kind: 'tcp'; readonly port: number }
  | { readonly kind: 'exec'; readonly command: readonly string[] }
  | {
      readonly kind: 'postgres';
      readonly port: number;
      readonly user: string;
      readonly password: string;
      readonly database: string;
    }
  | { readonly kind: 'consul_leader'; readonly port: number }
  | { readonly kind: 'consul_kv'; readonly port: number; readonly key: string }
  | { readonly kind: 'log'; readonly pattern: string }
  | {
      /** GET through another service's published port (Kong's proxy): the route reaches this service. */
      readonly kind: 'kong_route';
      readonly service: string;
      readonly port: number;
      readonly path: string;
      readonly status: number;
    };

export interface ReadySpec {
  /** All must pass. */
  readonly probes: readonly ReadyProbe[];
  readonly intervalMs: number;
  readonly timeoutMs: number;
}

export type Action =
  | {
      readonly kind: 'consul_kv_put';
      readonly service: string;
      readonly port: number;
      readonly key: string;
      readonly value: string;
    }
  | {
      readonly kind: 'kong_plugin';
      readonly port: number;
      readonly name: string;
      readonly config?: Record<string, unknown>;
    };

/** The engine's restart policy: Docker's names; maxRetries only with on-failure. */
export interface RestartPolicy {
  readonly name: 'no' | 'always' | 'unless-stopped' | 'on-failure';
  readonly maxRetries: number;
}

export interface BuildSpec {
  /** Absolute path of the build context. */
  readonly context: string;
  readonly dockerfile: string;
  readonly args: Readonly<Record<string, string>>;
}

export type WatchAction = 'sync' | 'rebuild' | 'sync+restart' | 'sync+exec';

export interface WatchRule {
  /** Absolute path of the watched file or directory. */
  readonly path: string;
  readonly action: WatchAction;
  /** Where `path` lands in the container (sync actions). */
  readonly target?: string;
  readonly ignore: readonly string[];
  readonly include: readonly string[];
  readonly exec?: readonly string[];
}

export interface ServiceSpec {
  readonly name: string;
  /** The platform role it plays (`role:`), at most one service per role: src/stack/roles.ts. */
  readonly role?: Role;
  /** The image reference after the image map; for built services, the tag mkdev builds. */
  readonly image: string;
  /** The reference the stack asked for, before the image map. */
  readonly requestedImage: string;
  readonly build?: BuildSpec;
  readonly env: Readonly<Record<string, string>>;
  readonly ports: readonly PortMapping[];
  readonly volumes: readonly VolumeMount[];
  readonly command?: readonly string[];
  readonly entrypoint?: readonly string[];
  readonly dependsOn: Readonly<Record<string, DependencyCondition>>;
  /** Dependencies (depends_on with `restart: true`) whose change in an `up` recreates this service. */
  readonly restartWith: readonly string[];
  /** Brought up together with this service, not waited for. */
  readonly requires: readonly string[];
  readonly ready?: ReadySpec;
  readonly oneShot: boolean;
  readonly restart: RestartPolicy;
  readonly replicas: number;
  readonly hostname?: string;
  /** The container's resolv.conf search list (Docker's DnsSearch); `["."]` writes none. */
  readonly dnsSearch?: readonly string[];
  readonly user?: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly register?: { readonly port: number; readonly name: string };
  readonly exports: Readonly<Record<string, string>>;
  readonly afterReady: readonly Action[];
  readonly afterCompleted: readonly Action[];
  /** `develop.watch`: what `mkdev watch` does when the service's files change. */
  readonly watch: readonly WatchRule[];
  /** file:line where the service is defined, for error messages. */
  readonly source: string;
}

export interface Stack {
  readonly project: string;
  readonly projectDir: string;
  readonly services: Readonly<Record<string, ServiceSpec>>;
  /** Named volumes, project-scoped (the engine prefixes them with the project). */
  readonly volumes: readonly string[];
  /** Secret values, so output can mask them. */
  readonly secrets: readonly string[];
  /** Writes newly generated secrets, when loading was asked to wait (`up` writes them after preflight). */
  readonly saveSecrets?: () => void;
}
