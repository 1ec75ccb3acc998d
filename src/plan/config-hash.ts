// The config hash decides what to recreate: it covers everything that shapes a container, so a change
// to any of it (and only that) recreates the service. Order-independent for maps. The build hash, a
// part of it, alone decides what to rebuild: changing a service's env must not rebuild its image.
import { createHash } from 'node:crypto';
import { contextHash } from '../engine/build-context.ts';
import type { ServiceSpec, Stack } from '../stack/model.ts';

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
    // added only when set: a service without it keeps the hash (and the container) it had
    ...(service.dnsSearch ? { dnsSearch: service.dnsSearch } : {}),
  };
  return createHash('sha256')
    .update(JSON.stringify(stable(relevant)))
    .digest('hex')
    .slice(0, 16);
}

export interface ServiceHashes {
  /** Everything that shapes the container: a change recreates it. */
  readonly config: string;
  /** What a built image is built from (context and args): only a change here rebuilds the image. */
  readonly build: string;
}

/** The hashes of every service of a stack (reads the build contexts). */
export function stackHashes(stack: Stack): Record<string, ServiceHashes> {
  return Object.fromEntries(
    Object.values(stack.services).map((s) => {
      const build = s.build ? contextHash(s.build.context, s.build.args) : '';
      return [s.name, { config: configHash(s, build === '' ? undefined : build), build }];
    }),
  );
}
