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

/**
 * One probe that passes when all of them pass. Those that reach the service itself are tried side by
 * side (its readiness is the slowest of them, not their sum: RabbitMQ's API answer and its AMQP port's
 * hold); one through another service (kong_route, through Kong's proxy) only once they pass, as the
 * stack writes it last: asked before the service registered, Kong would cache "not found" for its name.
 * The reason is the first failure in written order, as if each had been tried one after another.
 */
export function allOf(specs: readonly ReadyProbe[]): Probe {
  const probes = specs.map(createProbe);
  if (probes.length === 1 && probes[0]) return probes[0];
  const direct = probes.filter((_, i) => !throughAnother(specs[i]));
  const through = probes.filter((_, i) => throughAnother(specs[i]));
  return {
    description: probes.map((p) => p.description).join(' and '),
    async check(target, signal) {
      const results = await Promise.all(direct.map((probe) => probe.check(target, signal)));
      const failed = results.find((result) => !result.ready);
      if (failed) return failed;
      for (const probe of through) {
        const result = await probe.check(target, signal);
        if (!result.ready) return result;
      }
      return READY;
    },
  };
}

function throughAnother(spec: ReadyProbe | undefined): boolean {
  return spec !== undefined && 'service' in spec;
}
