import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, cp, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** Locates a Node 24 binary via scripts/ensure-node.sh (it unpacks one into .cache when needed). */
async function nodeBinary(repoRoot: string): Promise<string> {
  const script = path.join(repoRoot, 'scripts/ensure-node.sh');
  const cached = path.join(repoRoot, '.cache/node24/bin/node');
  if (existsSync(script)) {
    const { stdout } = await execFileAsync('bash', [script], { cwd: repoRoot });
    const binDir = stdout.trim().split('\n').pop() ?? '';
    if (existsSync(cached)) return cached;
    const candidate = path.join(binDir, 'node');
    if (existsSync(candidate)) return candidate;
  }
  if (existsSync(cached)) return cached;
  throw new Error('no Node 24 binary: scripts/ensure-node.sh did not provide .cache/node24/bin/node');
}

/**
 * The npm package directory: the machine's (the one `npm` on PATH runs from), or on a machine with no
 * npm the one scripts/ensure-node.sh fetched beside its Node.
 */
async function npmDirectory(repoRoot: string): Promise<string> {
  const candidates: string[] = [];
  try {
    const { stdout } = await execFileAsync('sh', ['-c', 'readlink -f "$(command -v npm)"']);
    // .../lib/node_modules/npm/bin/npm-cli.js -> .../lib/node_modules/npm
    const cli = stdout.trim();
    if (cli.endsWith('npm-cli.js')) candidates.push(path.dirname(path.dirname(cli)));
  } catch {
    // fall through to the usual location
  }
  candidates.push(
    '/usr/lib/node_modules/npm',
    '/usr/local/lib/node_modules/npm',
    path.join(repoRoot, '.cache/node24/lib/node_modules/npm'),
  );
  const found = candidates.find((dir) => existsSync(path.join(dir, 'bin/npm-cli.js')));
  if (!found) throw new Error(`npm not found (looked in ${candidates.join(', ')})`);
  return found;
}

export interface NodeSources {
  /** The Node 24 binary. */
  node: string;
  /** The npm package directory. */
  npm: string;
}

export async function nodeSources(repoRoot: string): Promise<NodeSources> {
  return { node: await nodeBinary(repoRoot), npm: await npmDirectory(repoRoot) };
}

/**
 * Stages the node image's build context in a temporary directory: the recipe files from
 * `recipeDir` plus `node` (the binary) and `npm/` (the npm package).
 */
export async function stageNodeContext(
  sources: NodeSources,
  recipeDir: string,
): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'mkdev-node-context-'));
  const cleanup = () => rm(dir, { recursive: true, force: true });
  try {
    await cp(recipeDir, dir, { recursive: true });
    await cp(sources.node, path.join(dir, 'node'));
    await chmod(path.join(dir, 'node'), 0o755);
    await cp(sources.npm, path.join(dir, 'npm'), { recursive: true, verbatimSymlinks: true });
    return { dir, cleanup };
  } catch (error) {
    await cleanup();
    throw error;
  }
}
