// From a ServiceSpec to the engine's container-create options. Pure, so it is tested without Docker.
import type { ContainerCreateOptions } from 'dockerode';
import { waitEdges } from '../stack/graph.ts';
import type { ServiceSpec } from '../stack/model.ts';
import { MKDEV_VERSION } from '../version.ts';
import type { HostBindings } from './engine.ts';
import { LABEL } from './labels.ts';
import { containerName, volumeName } from './names.ts';

export interface ContainerContext {
  readonly project: string;
  readonly network: string;
  readonly replica: number;
  readonly configHash: string;
  readonly extraLabels?: Readonly<Record<string, string>>;
  /** Host ports held instead of the service's own: a replacement keeps the ports its predecessor held. */
  readonly hostPorts?: HostBindings;
  /**
   * Map host.docker.internal to the engine's host-gateway (default). False on engines whose DNS answers
   * that name itself (Docker Desktop, OrbStack: engine-traits.ts), where an entry would override it.
   */
  readonly hostGateway?: boolean;
}

export function containerCreateOptions(service: ServiceSpec, ctx: ContainerContext): ContainerCreateOptions {
  const exposed: Record<string, object> = {};
  const bindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
  for (const p of service.ports) {
    const key = `${p.target}/${p.protocol}`;
    exposed[key] = {};
    // Only the first replica can hold a fixed host port; the others get free ones.
    const hostPort = p.published !== 0 && ctx.replica === 1 ? String(p.published) : '';
    bindings[key] = [...(bindings[key] ?? []), { HostIp: p.hostIp, HostPort: hostPort }];
  }
  for (const [key, held] of Object.entries(ctx.hostPorts ?? {})) {
    if (held.length > 0) bindings[key] = held.map((b) => ({ HostIp: b.hostIp, HostPort: b.hostPort }));
  }
  const labels: Record<string, string> = {
    ...service.labels,
    ...ctx.extraLabels,
    [LABEL.project]: ctx.project,
    [LABEL.service]: service.name,
    [LABEL.replica]: String(ctx.replica),
    [LABEL.configHash]: ctx.configHash,
    [LABEL.version]: MKDEV_VERSION,
    [LABEL.oneShot]: String(service.oneShot),
  };
  const deps = [...new Set(waitEdges(service).map((e) => e.on))];
  if (deps.length > 0) labels[LABEL.dependsOn] = deps.join(',');
  if (service.register) labels[LABEL.registerPort] = `${service.register.name}:${service.register.port}`;
  return {
    name: containerName(ctx.project, service.name, ctx.replica),
    Image: service.image,
    ...(service.command ? { Cmd: [...service.command] } : {}),
    ...(service.entrypoint ? { Entrypoint: [...service.entrypoint] } : {}),
    Env: Object.entries(service.env).map(([k, v]) => `${k}=${v}`),
    ...(service.hostname ? { Hostname: service.hostname } : {}),
    ...(service.user ? { User: service.user } : {}),
    Labels: labels,
    ExposedPorts: exposed,
    HostConfig: {
      PortBindings: bindings,
      Mounts: service.volumes.map((v) => ({
        Type: v.kind,
        Source: v.kind === 'volume' ? volumeName(ctx.project, v.source) : v.source,
        Target: v.target,
        ReadOnly: v.readOnly,
      })),
      RestartPolicy: {
        Name: service.restart.name,
        ...(service.restart.name === 'on-failure' ? { MaximumRetryCount: service.restart.maxRetries } : {}),
      },
      // host.docker.internal on Linux engines too, so services (and `mkdev run`) reach the developer's host.
      ...(ctx.hostGateway === false ? {} : { ExtraHosts: ['host.docker.internal:host-gateway'] }),
      ...(service.dnsSearch ? { DnsSearch: [...service.dnsSearch] } : {}),
    },
    NetworkingConfig: {
      EndpointsConfig: { [ctx.network]: { Aliases: [service.name] } },
    },
  };
}
