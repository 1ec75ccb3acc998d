import { httpRequest } from '../http-request.ts';
import type { ReadyProbe } from '../stack/model.ts';
import { notReady, type Probe, READY, reasonOf, requirePort } from './probe.ts';

type HttpProbeSpec = Extract<ReadyProbe, { kind: 'http' }>;

/** Ready when GET answers the expected status (any 2xx by default) and, if asked, contains a text. */
export function httpProbe(spec: HttpProbeSpec): Probe {
  return {
    description: `GET :${spec.port}${spec.path} -> ${spec.status ?? '2xx'}`,
    async check(target, signal) {
      const url = `${spec.scheme}://${target.host}:${requirePort(target, spec.port)}${spec.path}`;
      const headers: Record<string, string> = {};
      if (spec.basicAuth) {
        headers.authorization = `Basic ${Buffer.from(`${spec.basicAuth.user}:${spec.basicAuth.password}`).toString('base64')}`;
      }
      try {
        const { status, body } = await httpRequest(url, { headers, signal, timeoutMs: 2000 });
        const statusOk = spec.status === undefined ? status < 300 && status >= 200 : status === spec.status;
        if (!statusOk) return notReady(`HTTP ${status} ${body.slice(0, 120)}`.trim());
        if (spec.bodyIncludes && !body.includes(spec.bodyIncludes))
          return notReady(`body lacks '${spec.bodyIncludes}'`);
        return READY;
      } catch (error) {
        return notReady(reasonOf(error));
      }
    },
  };
}
