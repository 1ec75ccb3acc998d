// The host's Node against a service's package.json "engines": the TypeScript template runs its .ts
// sources directly (type stripping), which an older Node refuses (ERR_UNKNOWN_FILE_EXTENSION on 20),
// so `mkdev run` and `new-service` say which Node to install instead of letting the service crash.
// The Node checked is the one the command would run: `node` as named, or for npm, npx, pnpm, yarn and
// corepack (scripts run `node` from PATH, and so do their own #!/usr/bin/env node) the first on PATH.
import { execFile } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { basename, delimiter, isAbsolute, join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import semver from 'semver';
import { UserError } from '../errors.ts';

const NODE_LAUNCHERS = new Set(['npm', 'npx', 'pnpm', 'yarn', 'corepack']);

/** The first executable named `name` on PATH. */
export function onPath(name: string, path: string | undefined): string | undefined {
  for (const dir of (path ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** The node binary `command` would run, or undefined when it is not a Node command. */
export function nodeOfCommand(
  command: readonly string[],
  cwd: string,
  path: string | undefined,
): string | undefined {
  const [file] = command;
  if (file === undefined) return undefined;
  const name = basename(file);
  if (name === 'node') {
    if (file.includes('/')) return isAbsolute(file) ? file : resolve(cwd, file);
    return onPath('node', path);
  }
  return NODE_LAUNCHERS.has(name) ? onPath('node', path) : undefined;
}

/** `engines.node` of a package.json, when it has one. */
export function enginesNode(packageJson: string): string | undefined {
  if (!existsSync(packageJson)) return undefined;
  try {
    const range = (JSON.parse(readFileSync(packageJson, 'utf8')) as { engines?: { node?: unknown } }).engines
      ?.node;
    return typeof range === 'string' && semver.validRange(range) ? range : undefined;
  } catch {
    return undefined;
  }
}

export interface NodeMismatch {
  readonly node: string;
  readonly version: string;
  readonly range: string;
  /** The major to install: the lowest the range accepts. */
  readonly install: number;
}

/** A mismatch between `range` and the version of `node`, or undefined when it satisfies it. */
export async function nodeMismatch(node: string, range: string): Promise<NodeMismatch | undefined> {
  const { stdout } = await promisify(execFile)(node, ['--version'], { timeout: 10_000 });
  const version = stdout.trim();
  if (semver.satisfies(version, range)) return undefined;
  return { node, version, range, install: semver.minVersion(range)?.major ?? 0 };
}

export function mismatchMessage(m: NodeMismatch, packageJson: string): { message: string; hint: string } {
  return {
    message: `${packageJson} needs Node ${m.range} ("engines"), but ${m.node} is ${m.version}`,
    hint: `install Node ${m.install} (e.g. \`nvm install ${m.install}\`, or from nodejs.org) and put it first on PATH`,
  };
}

/**
 * Fails before anything changes when the command would run a Node the service's package.json (in its
 * build context, else the current directory) does not accept.
 */
export async function checkHostNode(
  command: readonly string[],
  cwd: string,
  buildContext: string | undefined,
  path = process.env.PATH,
): Promise<void> {
  const node = nodeOfCommand(command, cwd, path);
  if (node === undefined) return;
  const packageJson = [buildContext, cwd]
    .flatMap((dir) => (dir === undefined ? [] : [join(dir, 'package.json')]))
    .find((file) => enginesNode(file) !== undefined);
  const range = packageJson === undefined ? undefined : enginesNode(packageJson);
  if (packageJson === undefined || range === undefined) return;
  const mismatch = await nodeMismatch(node, range);
  if (mismatch === undefined) return;
  const { message, hint } = mismatchMessage(mismatch, relative(cwd, packageJson) || packageJson);
  throw new UserError(message, { hint });
}
