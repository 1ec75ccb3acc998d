// Runs the real mkdev CLI (bin/mkdev.js over dist/) in a throwaway project directory.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa, type ResultPromise } from 'execa';
import { createDockerClient } from '../../src/engine/docker-client.ts';
import { DockerConnection } from '../../src/engine/docker-connection.ts';
import { THROWAWAY, tearDown } from '../../src/project/tear-down.ts';
import { mapImage, readImageMapFile } from '../../src/stack/image-map.ts';
import { freeHostPortsEnv } from '../../src/stack/port-variables.ts';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BIN = join(ROOT, 'bin', 'mkdev.js');
/** The image map tests run on: MKDEV_IMAGES when set (e.g. a set built under another prefix), else the committed one. */
export const OFFLINE_IMAGE_MAP = process.env.MKDEV_IMAGES || join(ROOT, 'images', 'offline-image-map.yaml');
export const docker = createDockerClient();

/** The local image the offline set maps an official reference to (e.g. python:3.13-slim-trixie). */
export async function offlineImage(reference: string): Promise<string> {
  return mapImage(await readImageMapFile(OFFLINE_IMAGE_MAP, ROOT), reference);
}

/** Every host port of the default stack moved to a free one, so tests run side by side. */
export const FREE_PORTS: Record<string, string> = freeHostPortsEnv();

export interface TestProject {
  readonly dir: string;
  readonly name: string;
  run(
    args: readonly string[],
    options?: { env?: Record<string, string | undefined>; timeout?: number; withoutProject?: boolean },
  ): ResultPromise<{ reject: false; all: true }>;
  write(file: string, text: string): void;
}

export function testProject(prefix: string, files: Record<string, string> = {}): TestProject {
  const name = `${prefix}-${randomBytes(3).toString('hex')}`;
  const dir = mkdtempSync(join(tmpdir(), `${name}-`));
  const write = (file: string, text: string) => writeFileSync(join(dir, file), text);
  for (const [file, text] of Object.entries(files)) write(file, text);
  return {
    dir,
    name,
    write,
    run: (args, options = {}) =>
      execa(process.execPath, [BIN, ...args, ...(options.withoutProject ? [] : ['-p', name])], {
        cwd: dir,
        reject: false,
        all: true,
        timeout: options.timeout ?? 240_000,
        env: { MKDEV_IMAGES: OFFLINE_IMAGE_MAP, NO_COLOR: '1', ...FREE_PORTS, ...options.env },
      }) as ResultPromise<{ reject: false; all: true }>,
  };
}

/** Everything the engine holds for a project, by label. */
export async function projectResources(project: string) {
  const filters = { label: [`dev.mkdev.project=${project}`] };
  const [containers, networks, volumes] = await Promise.all([
    docker.listContainers({ all: true, filters }),
    docker.listNetworks({ filters }),
    docker.listVolumes({ filters }),
  ]);
  return { containers, networks, volumes: volumes.Volumes ?? [] };
}

/** Resources named like the project but lacking its label: must never exist. */
export async function unlabelledResources(project: string) {
  const [containers, networks, volumes] = await Promise.all([
    docker.listContainers({ all: true }),
    docker.listNetworks(),
    docker.listVolumes(),
  ]);
  const label = 'dev.mkdev.project';
  return [
    ...containers
      .filter((c) => c.Names.some((n) => n.includes(project)) && c.Labels[label] !== project)
      .map((c) => c.Names[0]),
    ...networks.filter((n) => n.Name.includes(project) && n.Labels?.[label] !== project).map((n) => n.Name),
    ...(volumes.Volumes ?? [])
      .filter((v) => v.Name.includes(project) && v.Labels?.[label] !== project)
      .map((v) => v.Name),
  ];
}

/** Everything of a test's project, as a throwaway stack's stop() removes it; never fails the suite's clean-up. */
export async function removeProject(project: string): Promise<void> {
  await tearDown(new DockerConnection(docker).project(project), THROWAWAY).catch(() => {});
}

export function parseEnv(text: string): Record<string, string> {
  return Object.fromEntries(
    text
      .split('\n')
      .filter((l) => l.includes('='))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
}

export async function eventually<T>(
  fn: () => Promise<T | undefined>,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await fn();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

/** Waits until `get(path)` (a GET through Kong's proxy) answers 200 with `text` in its body; returns the body. */
export function servedThroughKong(
  get: (path: string) => Promise<{ status: number; text: string }>,
  path: string,
  text: string,
  timeoutMs: number,
): Promise<string> {
  return eventually(
    async () => {
      const res = await get(path);
      return res.status === 200 && res.text.includes(text) ? res.text : undefined;
    },
    timeoutMs,
    `GET ${path} through Kong to answer with '${text}'`,
  );
}

/** `mkdev new-service <args>` in cwd, without a project: its exit code and output, never a throw. */
export function newService(args: readonly string[], cwd: string, env: Record<string, string> = {}) {
  return execa(process.execPath, [BIN, 'new-service', ...args], {
    cwd,
    reject: false,
    all: true,
    env: { NO_COLOR: '1', ...env },
  });
}
