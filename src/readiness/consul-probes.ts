import { request } from 'undici';
import { notReady, type Probe, READY, reasonOf, requirePort } from './probe.ts';

/** Consul is ready once it has a leader: /v1/status/leader answers a non-empty string. */
export function consulLeaderProbe(port: number): Probe {
  return {
    description: `GET :${port}/v1/status/leader is not ""`,
    async check(target, signal) {
      try {
        const res = await request(`http://${target.host}:${requirePort(target, port)}/v1/status/leader`, {
          signal,
          headersTimeout: 2000,
        });
        const body = await res.body.text();
        if (res.statusCode !== 200) return notReady(`HTTP ${res.statusCode}`);
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
        const res = await request(`http://${target.host}:${requirePort(target, port)}/v1/kv/${key}`, {
          signal,
          headersTimeout: 2000,
        });
        await res.body.dump();
        return res.statusCode === 200 ? READY : notReady(`HTTP ${res.statusCode}`);
      } catch (error) {
        return notReady(reasonOf(error));
      }
    },
  };
}
