import type { ReadyProbe } from '../stack/model.ts';
import { consulKvProbe, consulLeaderProbe } from './consul-probes.ts';
import { execProbe } from './exec-probe.ts';
import { httpProbe } from './http-probe.ts';
import { kongRouteProbe } from './kong-route-probe.ts';
import { logProbe } from './log-probe.ts';
import { postgresProbe } from './postgres-probe.ts';
import { type Probe, READY } from './probe.ts';
import { tcpProbe } from './tcp-probe.ts';

export function createProbe(spec: ReadyProbe): Probe {
  switch (spec.kind) {
    case 'http':
      return httpProbe(spec);
    case 'tcp':
      return tcpProbe(spec.port);
    case 'exec':
      return execProbe(spec.command);
    case 'postgres':
      return postgresProbe(spec);
    case 'consul_leader':
      return consulLeaderProbe(spec.port);
    case 'consul_kv':
      return consulKvProbe(spec.port, spec.key);
    case 'log':
      return logProbe(spec.pattern);
    case 'kong_route':
      return kongRouteProbe(spec);
  }
}

/** One probe that passes when all of them pass, checked in order; the first failure is the reason. */
export function allOf(specs: readonly ReadyProbe[]): Probe {
  const probes = specs.map(createProbe);
  if (probes.length === 1 && probes[0]) return probes[0];
  return {
    description: probes.map((p) => p.description).join(' and '),
    async check(target, signal) {
      for (const probe of probes) {
        const result = await probe.check(target, signal);
        if (!result.ready) return result;
      }
      return READY;
    },
  };
}
