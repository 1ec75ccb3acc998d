// Consul in the cluster. Kong needs Consul's DNS at an IP: a ClusterIP Service (stable for the
// Service's life, unlike a pod IP) in front of the DNS port. And Consul's recursor: the Docker stack
// points it at Docker's embedded DNS (127.0.0.11), which a pod does not have; in the cluster it is the
// pod's own nameserver (the cluster DNS), read from /etc/resolv.conf when the container starts.
import type { IService } from 'kubernetes-models/v1';
import type { ServiceSpec } from '../../stack/model.ts';
import { shellQuote } from '../shell.ts';
import { type ExportContext, metadataFor, selectorFor } from './objects.ts';

export const CONSUL_DNS_SERVICE = 'consul-dns';
export const CONSUL_DNS_PORT = 8600;
const DOCKER_DNS = '127.0.0.11';

/** The discovery service (`role: discovery`): Consul, which the gateway resolves upstreams through. */
export const isDiscovery = (s: ServiceSpec) => s.role === 'discovery' && !s.oneShot;

/** Consul with its DNS port open over TCP too (answers too large for UDP are retried over TCP). */
export function withDnsPorts(consul: ServiceSpec): ServiceSpec {
  const has = (protocol: 'tcp' | 'udp') =>
    consul.ports.some((p) => p.target === CONSUL_DNS_PORT && p.protocol === protocol);
  const extra = (['udp', 'tcp'] as const)
    .filter((protocol) => !has(protocol))
    .map((protocol) => ({ target: CONSUL_DNS_PORT, published: 0, hostIp: '', protocol }));
  return { ...consul, ports: [...consul.ports, ...extra] };
}

export function consulDnsService(ctx: ExportContext, consul: ServiceSpec): IService {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: metadataFor(ctx, CONSUL_DNS_SERVICE, consul.name),
    spec: {
      selector: selectorFor(consul.name),
      ports: [
        { name: 'dns-udp', port: CONSUL_DNS_PORT, targetPort: CONSUL_DNS_PORT, protocol: 'UDP' },
        { name: 'dns-tcp', port: CONSUL_DNS_PORT, targetPort: CONSUL_DNS_PORT, protocol: 'TCP' },
      ],
    },
  };
}

/**
 * The Consul command with Docker's DNS replaced by the pod's nameserver. The official image's
 * entrypoint runs a command that is not a Consul subcommand as given, so `sh -c` runs first and execs
 * the entrypoint with the real arguments.
 */
export function consulCommand(consul: ServiceSpec): readonly string[] | undefined {
  const command = consul.command;
  if (consul.entrypoint || !command?.some((a) => a.includes(DOCKER_DNS))) return command;
  const args = command.map((a) =>
    a.includes(DOCKER_DNS) ? a.split(DOCKER_DNS).map(shellQuote).join('"$nameserver"') : shellQuote(a),
  );
  return [
    'sh',
    '-c',
    `nameserver=$(awk '/^nameserver/ { print $2; exit }' /etc/resolv.conf)\nexec docker-entrypoint.sh ${args.join(' ')}`,
  ];
}
