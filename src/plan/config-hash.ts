// The config hash decides what to recreate: it covers everything that shapes a container, so a change
// to any of it (and only that) recreates the service. Order-independent for maps.
import { createHash } from 'node:crypto';
import type { ServiceSpec } from '../stack/model.ts';

function stable(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stable);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, stable((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

export function configHash(service: ServiceSpec, buildHash?: string): string {
  const relevant = {
    image: service.image,
    buildHash: buildHash ?? null,
    env: service.env,
    ports: service.ports,
    volumes: service.volumes,
    command: service.command ?? null,
    entrypoint: service.entrypoint ?? null,
    hostname: service.hostname ?? null,
    user: service.user ?? null,
    labels: service.labels,
    oneShot: service.oneShot,
    restart: service.restart,
    register: service.register ?? null,
  };
  return createHash('sha256')
    .update(JSON.stringify(stable(relevant)))
    .digest('hex')
    .slice(0, 16);
}
