// Loads the stack for a project: the default stack, the project's mkdev.yaml on top, the image map,
// .env and generated secrets, validated and resolved into a Stack.
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { UserError } from '../errors.ts';
import { MKDEV_HOME } from '../package-root.ts';
import { checkGraph } from './check-graph.ts';
import { type ImageMap, readImageMapFile } from './image-map.ts';
import { type InterpolationContext, parseDotEnv } from './interpolate.ts';
import type { ServiceSpec, Stack } from './model.ts';
import { normalizeService } from './normalize.ts';
import { type MergedService, type RoleHolders, roleHolders } from './role-holders.ts';
import type { ServiceFile } from './schema.ts';
import { openSecretStore } from './secrets.ts';
import {
  DEFAULT_STACK_FILE,
  PROJECT_FILE_NAME,
  type ProjectRef,
  projectFileOf,
  sanitizeProjectName,
} from './stack-files.ts';
import { type ValidatedFile, validateStackFile } from './validate-file.ts';
import { readYamlSource, type YamlSource } from './yaml-source.ts';

export { DEFAULT_STACK_FILE, PROJECT_FILE_NAME, type ProjectRef, sanitizeProjectName };

export interface LoadStackOptions extends ProjectRef {
  readonly cwd: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Extra services layered last (used by the testing library). */
  readonly overrides?: Readonly<Record<string, ServiceFile>>;
  /** Where generated secrets are kept; default: the project directory's .mkdev/. */
  readonly stateDir?: string;
  /** Publish every port on a free host port (throwaway stacks run side by side). */
  readonly freePorts?: boolean;
  /** Leave new secrets unwritten until the caller calls stack.saveSecrets() (after preflight). */
  readonly deferSecrets?: boolean;
  /** Told each variable interpolation looks up (the stack cache keys on their values). */
  readonly onVariable?: (name: string) => void;
}

export async function loadStack(options: LoadStackOptions): Promise<Stack> {
  const env = options.env ?? process.env;
  const projectFile = projectFileOf(options, options.cwd);
  const projectDir = projectFile ? dirname(projectFile) : options.cwd;
  const dotEnv = dotEnvOf(projectDir);
  const projectSource = projectFile
    ? await readYamlSource(projectFile, options.file ?? PROJECT_FILE_NAME)
    : undefined;
  const declaredName = (projectSource?.value as { name?: unknown } | undefined)?.name;
  const project = sanitizeProjectName(
    options.project ?? (typeof declaredName === 'string' ? declaredName : basename(projectDir)),
  );
  const secrets = openSecretStore(options.stateDir ?? projectDir, project);
  const vars = { ...dotEnv, ...env, MKDEV_PROJECT: project, MKDEV_HOME };
  const onVariable = options.onVariable;
  const ctx: InterpolationContext = {
    vars: onVariable
      ? new Proxy(vars, {
          get: (target, name) => {
            onVariable(String(name));
            return Reflect.get(target, name);
          },
        })
      : vars,
    secret: (n) => secrets.get(n),
  };
  const files = await stackFiles(projectSource, ctx);
  const images = await resolveImageMap(files, options, env);
  const merged = mergeServices(files);
  for (const [name, service] of Object.entries(options.overrides ?? {})) {
    const previous = merged.get(name);
    merged.set(name, {
      service: { ...(previous?.service ?? {}), ...service },
      source: 'testing overrides',
      ...(service.role === undefined && previous?.roleSource ? { roleSource: previous.roleSource } : {}),
    });
  }
  const services = specsOf(
    merged,
    { project, projectDir, images, roles: roleHolders(merged) },
    options.freePorts,
  );
  checkGraph(services);
  if (!options.deferSecrets) secrets.save();
  return {
    project,
    projectDir,
    services,
    volumes: namedVolumes(services),
    secrets: secrets.values(),
    ...(options.deferSecrets ? { saveSecrets: () => secrets.save() } : {}),
  };
}

/** The project directory's .env, when there is one (the environment wins over it). */
function dotEnvOf(projectDir: string): Record<string, string> {
  const dotEnvFile = resolve(projectDir, '.env');
  return existsSync(dotEnvFile) ? parseDotEnv(readFileSync(dotEnvFile, 'utf8')) : {};
}

/** The default stack (unless the project says `extends: none`), then the project's file on top. */
async function stackFiles(
  projectSource: YamlSource | undefined,
  ctx: InterpolationContext,
): Promise<ValidatedFile[]> {
  const files: ValidatedFile[] = [];
  const projectValidated = projectSource ? validateStackFile(projectSource, ctx) : undefined;
  if (projectValidated?.stack.extends !== 'none') {
    files.push(validateStackFile(await readYamlSource(DEFAULT_STACK_FILE, 'stacks/microkubes.yaml'), ctx));
  }
  if (projectValidated) files.push(projectValidated);
  return files;
}

function specsOf(
  merged: ReadonlyMap<string, MergedService>,
  where: { project: string; projectDir: string; images: ImageMap; roles: RoleHolders },
  freePorts: boolean | undefined,
): Record<string, ServiceSpec> {
  const services: Record<string, ServiceSpec> = {};
  for (const [name, { service, source }] of merged) {
    if (service.disabled) continue;
    if (service.image === undefined && service.build === undefined) {
      throw new UserError(`${source}: service '${name}' has neither image nor build`, {
        hint: 'give it `image: <name:tag>` or `build: <directory>`',
      });
    }
    const spec = normalizeService(name, service, { ...where, source });
    services[name] = freePorts ? { ...spec, ports: spec.ports.map((p) => ({ ...p, published: 0 })) } : spec;
  }
  return services;
}

/** The named volumes the services mount, each once. */
function namedVolumes(services: Readonly<Record<string, ServiceSpec>>): string[] {
  return [
    ...new Set(
      Object.values(services).flatMap((s) =>
        s.volumes.filter((v) => v.kind === 'volume').map((v) => v.source),
      ),
    ),
  ];
}

async function resolveImageMap(
  files: readonly ValidatedFile[],
  options: LoadStackOptions,
  env: Readonly<Record<string, string | undefined>>,
): Promise<ImageMap> {
  // Later wins: the stack files' `images:`, then MKDEV_IMAGES, then --images.
  let map: ImageMap = Object.assign({}, ...files.map((f) => f.stack.images ?? {}));
  const fromEnv = env.MKDEV_IMAGES;
  if (fromEnv) map = { ...map, ...(await readImageMapFile(fromEnv, options.cwd)) };
  if (options.images) map = { ...map, ...(await readImageMapFile(options.images, options.cwd)) };
  return map;
}

/** Services from all files, later files layered on earlier ones: maps merge, lists and scalars replace. */
function mergeServices(files: readonly ValidatedFile[]): Map<string, MergedService> {
  const merged = new Map<string, MergedService>();
  for (const { source, stack } of files) {
    for (const [name, service] of Object.entries(stack.services ?? {})) {
      const previous = merged.get(name);
      const next = service ?? {};
      const combined: ServiceFile = previous ? { ...previous.service, ...next } : next;
      if (previous && next.env) combined.env = { ...previous.service.env, ...next.env };
      if (previous && next.labels) combined.labels = { ...previous.service.labels, ...next.labels };
      if (previous && next.exports) combined.exports = { ...previous.service.exports, ...next.exports };
      const roleSource =
        next.role === undefined ? previous?.roleSource : source.locate(['services', name, 'role']);
      merged.set(name, {
        service: combined,
        source: source.locate(['services', name]),
        ...(roleSource === undefined ? {} : { roleSource }),
      });
    }
  }
  return merged;
}
