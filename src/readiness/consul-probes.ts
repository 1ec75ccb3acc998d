import { httpRequest } from '../http-request.ts';
import { notReady, type Probe, READY, reasonOf, requirePort } from './probe.ts';

/** Consul is ready once it has a leader: /v1/status/leader answers a non-empty string. */
export function consulLeaderProbe(port: number): Probe {
  return {
    description: `GET :${port}/v1/status/leader is not ""`,
    async check(target, signal) {
      try {
        const url = `http://${target.host}:${requirePort(target, port)}/v1/status/leader`;
        const { status, body } = await httpRequest(url, { signal, timeoutMs: 2000 });
        if (status !== 200) return notReady(`HTTP ${status}`);
        return JSON.parse(body) === '' ? notReady('no leader yet') : READY;
      } catch (error) {
        return notReady(reasonOf(error));
      }
    },
  };
}

/** Ready once a KV key exists (GET answers 200, not 404). */
export function consulKvProbe(port: number, key: string): Probe {
  return {
    description: `GET :${port}/v1/kv/${key} -> 200`,
    async check(target, signal) {
      try {
        const url = `http://${target.host}:${requirePort(target, port)}/v1/kv/${key}`;
        const { status } = await httpRequest(url, { signal, timeoutMs: 2000 });
        return status === 200 ? READY : notReady(`HTTP ${status}`);
      } catch (error) {
        return notReady(reasonOf(error));
      }
    },
  };
}
