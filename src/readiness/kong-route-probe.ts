import { httpRequest } from '../http-request.ts';
import type { ReadyProbe } from '../stack/model.ts';
import { notReady, type Probe, READY, reasonOf } from './probe.ts';

type KongRouteSpec = Extract<ReadyProbe, { kind: 'kong_route' }>;

/**
 * Ready when a GET through Kong's proxy answers the expected status. A service that has registered is
 * not yet reachable: real Kong routes a new route only after its router rebuild, and resolves the
 * service's Consul name through its DNS cache, which may still hold "not found". Only a request through
 * the proxy says that both caught up.
 */
export function kongRouteProbe(spec: KongRouteSpec): Probe {
  return {
    description: `GET ${spec.path} through ${spec.service}:${spec.port} -> ${spec.status}`,
    async check(target, signal) {
      const peer = target.peer?.(spec.service);
      const port = peer?.hostPort(spec.port);
      if (peer === undefined || port === undefined)
        return notReady(`${spec.service} does not publish port ${spec.port}`);
      try {
        const { status, body } = await httpRequest(`http://${peer.host}:${port}${spec.path}`, {
          signal,
          timeoutMs: 2000,
        });
        if (status !== spec.status)
          return notReady(`HTTP ${status} through ${spec.service} ${body.slice(0, 120)}`.trim());
        return READY;
      } catch (error) {
        return notReady(reasonOf(error));
      }
    },
  };
}
