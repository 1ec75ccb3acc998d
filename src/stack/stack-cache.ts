// The CLI's loaded stack, kept in <stateDir>/.mkdev/stack-cache.json and keyed by what it came from:
// the content of every file loading reads (the default stack, the project's file, .env, the image maps,
// secrets.json), the value of every variable its interpolation looked up, and mkdev's own code. When
// all of them still match, a command uses the stack as it was loaded, and neither the YAML parser nor
// the schema is imported (they are most of `status`'s and a no-op `up`'s CPU before the first engine
// call). Anything changed, missing or unreadable takes the full path (load-stack.ts), whose errors
// still name file:line; only a stack that loaded is kept.
//
// It holds the stack's secrets, so it lives beside secrets.json with the same mode (0600), and is
// written only where .mkdev/ already exists and only when every secret the stack uses is on file: a
// stack whose new secrets `up` has not saved yet is never kept (their values would be lost with it).
import { hash } from 'node:crypto';
import { readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MKDEV_VERSION } from '../package-root.ts';
import type { LoadStackOptions } from './load-stack.ts';
import type { Stack } from './model.ts';
import { secretsFile } from './secrets.ts';
import { DEFAULT_STACK_FILE, projectFileOf } from './stack-files.ts';

/** Bump when what a cached entry holds changes shape. */
const FORMAT = 1;

type StoredStack = Omit<Stack, 'saveSecrets'>;

interface Entry {
  /** mkdev's version and this module's build: a rebuilt mkdev may load the same files differently. */
  readonly code: string;
  /** Absolute path -> sha256 of its content, or null when it did not exist. */
  readonly files: Readonly<Record<string, string | null>>;
  /** Variable -> its value in the environment, or null when unset. */
  readonly vars: Readonly<Record<string, string | null>>;
  readonly stack: StoredStack;
}

/** One entry per way of naming the project (cwd and the common flags). */
type CacheFile = Record<string, Entry>;

/** loadStack, answered from the cache when nothing it depends on changed. */
export async function loadStackCached(
  options: LoadStackOptions,
  /** Runs before a full load (the CLI configures zod there, which a cache hit never imports). */
  beforeFullLoad: () => Promise<void> = async () => {},
): Promise<Stack> {
  // The testing library's overrides are not files: a stack built with them is not kept.
  if (options.overrides !== undefined) {
    await beforeFullLoad();
    return (await import('./load-stack.ts')).loadStack(options);
  }
  return cached(options, beforeFullLoad);
}

/**
 * The project's name from its cached stack, when nothing it was loaded from changed: what `up`, `down`
 * and `watch` lock before loading, without parsing mkdev.yaml for its `name:`.
 */
export function cachedProjectName(options: LoadStackOptions): string | undefined {
  return lookUp(options).hit?.stack.project;
}

interface LookUp {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stateDir: string;
  readonly cacheFile: string;
  readonly key: string;
  readonly inputs: readonly string[];
  readonly all: CacheFile;
  /** The entry for these options, when everything it depends on still matches. */
  readonly hit: Entry | undefined;
}

function lookUp(options: LoadStackOptions): LookUp {
  const env = options.env ?? process.env;
  const projectFile = projectFileOf(options, options.cwd);
  const stateDir = options.stateDir ?? (projectFile ? dirname(projectFile) : options.cwd);
  const cacheFile = join(stateDir, '.mkdev', 'stack-cache.json');
  const key = JSON.stringify([options.cwd, options.project, options.file, options.images, options.freePorts]);
  const inputs = [
    DEFAULT_STACK_FILE,
    ...(projectFile ? [projectFile] : []),
    join(projectFile ? dirname(projectFile) : options.cwd, '.env'),
    secretsFile(stateDir),
    ...[env.MKDEV_IMAGES, options.images].flatMap((f) => (f ? [resolve(options.cwd, f)] : [])),
  ];
  const all = readCache(cacheFile);
  const entry = all[key];
  const hit = entry !== undefined && stillMatches(entry, inputs, env) ? entry : undefined;
  return { env, stateDir, cacheFile, key, inputs, all, hit };
}

async function cached(options: LoadStackOptions, beforeFullLoad: () => Promise<void>): Promise<Stack> {
  const { env, stateDir, cacheFile, key, inputs, all, hit } = lookUp(options);
  if (hit !== undefined) {
    return { ...hit.stack, ...(options.deferSecrets ? { saveSecrets: () => {} } : {}) };
  }
  // Hashed before loading: a file edited while it loads leaves an entry that no longer matches.
  const files = Object.fromEntries(inputs.map((f) => [f, contentHash(f)]));
  const looked = new Set<string>(['MKDEV_IMAGES']);
  await beforeFullLoad();
  const { loadStack } = await import('./load-stack.ts');
  const stack = await loadStack({ ...options, onVariable: (name) => looked.add(name) });
  if (secretsOnFile(stack, secretsFile(stateDir))) {
    const vars = Object.fromEntries([...looked].map((name) => [name, env[name] ?? null]));
    const { saveSecrets: _, ...stored } = stack;
    writeCache(cacheFile, { ...all, [key]: { code: codeIdentity(), files, vars, stack: stored } });
  }
  return stack;
}

function stillMatches(
  entry: Entry,
  inputs: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): boolean {
  if (entry.code !== codeIdentity()) return false;
  const files = Object.keys(entry.files);
  if (files.length !== inputs.length || !inputs.every((f) => f in entry.files)) return false;
  for (const [name, value] of Object.entries(entry.vars)) if ((env[name] ?? null) !== value) return false;
  return files.every((f) => contentHash(f) === entry.files[f]);
}

function contentHash(file: string): string | null {
  try {
    return hash('sha256', readFileSync(file));
  } catch {
    return null;
  }
}

/** Every secret value the stack holds is in secrets.json already (none generated and unsaved). */
function secretsOnFile(stack: Stack, file: string): boolean {
  if (stack.secrets.length === 0) return true;
  try {
    const all = JSON.parse(readFileSync(file, 'utf8')) as Record<string, Record<string, string>>;
    const saved = new Set(Object.values(all[stack.project] ?? {}));
    return stack.secrets.every((s) => saved.has(s));
  } catch {
    return false;
  }
}

let code: string | undefined;
function codeIdentity(): string {
  code ??= `${FORMAT} ${MKDEV_VERSION} ${statSync(fileURLToPath(import.meta.url)).mtimeMs}`;
  return code;
}

function readCache(file: string): CacheFile {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)
      ? (parsed as CacheFile)
      : {};
  } catch {
    return {};
  }
}

/** Replaces the file whole (a concurrent reader sees the old or the new one); never creates .mkdev/. */
function writeCache(file: string, content: CacheFile): void {
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(temporary, JSON.stringify(content), { mode: 0o600 });
    renameSync(temporary, file);
  } catch {
    // No .mkdev/ yet, or not writable: the next command loads the stack in full, as this one did.
  }
}
