import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { KONG_NEXT_STANDIN_TAG, OFFLINE_PREFIX } from '../recipes.ts';

/**
 * Official image references mkdev uses -> the offline image that stands in for each. The stack pins
 * RabbitMQ 4.3 (docs/upgrades.md says why); no Debian release packages 4.3, so offline it runs Debian
 * 13's 4.0.5, and mkdev reads the version from the image (RABBITMQ_VERSION), never from the tag.
 */
export const OFFLINE_IMAGE_MAP: ReadonlyArray<readonly [string, string]> = [
  ['kong:3.9', 'mkdev-offline/kong-standin:3.9'],
  ['hashicorp/consul:1.20', 'mkdev-offline/consul-standin:1.20'],
  ['rabbitmq:4.3-management', 'mkdev-offline/rabbitmq:4.0'],
  ['postgres:17', 'mkdev-offline/postgres:17'],
  // Older official tags, from Debian 12: what the data-upgrade tests create data with.
  ['postgres:15', 'mkdev-offline/postgres:15'],
  ['rabbitmq:3.10-management', 'mkdev-offline/rabbitmq:3.10'],
  ['prom/prometheus:v2.55.1', 'mkdev-offline/prometheus:2.53'],
  ['node:24-bookworm-slim', 'mkdev-offline/node:24'],
  ['python:3.13-slim-trixie', 'mkdev-offline/python:3.13'],
  // What earlier templates named, so that older scaffolds keep building offline (images/recipes.ts).
  ['python:3.11-slim-bookworm', 'mkdev-offline/python:3.11'],
  ['golang:1.27-trixie', 'mkdev-offline/golang:1.27'],
  // The Go template's runtime stage: the trixie base is as slim as debian:trixie-slim.
  ['debian:trixie-slim', 'mkdev-offline/debian:trixie'],
];

/**
 * The Kong stand-in of an upgrade (one more core migration), under the set's prefix. Not part of
 * OFFLINE_IMAGE_MAP: a test maps `kong:3.9` to it to upgrade a project's Kong.
 */
export function kongNextStandin(prefix = OFFLINE_PREFIX): string {
  return `${prefix}/${KONG_NEXT_STANDIN_TAG}`;
}

export function renderImageMap(prefix = 'mkdev-offline'): string {
  const header =
    '# Maps the official image references mkdev uses to the offline image set built by `npm run images:offline`.\n';
  const entries = OFFLINE_IMAGE_MAP.map(([from, to]) => [from, to.replace(/^mkdev-offline\//, `${prefix}/`)]);
  return `${header}images:\n${entries.map(([from, to]) => `  ${from}: ${to}\n`).join('')}`;
}

/**
 * Where the map of the set tagged under `prefix` lives: images/offline-image-map.yaml (committed;
 * other code reads it) for the default prefix, a git-ignored map in .cache/ for any other.
 */
export function imageMapFile(repoRoot: string, prefix = OFFLINE_PREFIX): string {
  return prefix === 'mkdev-offline'
    ? path.join(repoRoot, 'images/offline-image-map.yaml')
    : path.join(repoRoot, '.cache', `offline-image-map.${prefix}.yaml`);
}

/** Writes the map of the set being built (see imageMapFile) and returns its path. */
export async function writeImageMap(repoRoot: string): Promise<string> {
  const file = imageMapFile(repoRoot);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, renderImageMap(OFFLINE_PREFIX));
  return file;
}
