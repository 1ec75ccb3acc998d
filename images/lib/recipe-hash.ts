import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import path from 'node:path';
import dockerignoreModule from '@balena/dockerignore';

// The package is CommonJS (`module.exports = factory`): Node's default import is the factory itself,
// while its typings describe an ES module whose default export is.
const dockerignore = dockerignoreModule as unknown as typeof dockerignoreModule.default;

/** Top-level directories of a build context that are never sent nor hashed. */
export const IGNORED_DIRS: ReadonlySet<string> = new Set(['node_modules', '.git']);

/** Label that stores the recipe hash an image was built from. */
export const RECIPE_HASH_LABEL = 'dev.mkdev.recipe-hash';

/** The files the builder always receives, whatever `.dockerignore` says (Docker's own rule). */
const ALWAYS_SENT: ReadonlySet<string> = new Set(['Dockerfile', '.dockerignore']);

/**
 * Lists every file and symlink below `dir` that a build can see (relative POSIX paths, sorted): not
 * under a top-level IGNORED_DIRS, and not excluded by the context's `.dockerignore`. Files the build
 * never sees (a stand-in's PARITY.md, its tests) then leave the image, and its hash, unchanged.
 */
export async function listContextFiles(dir: string): Promise<string[]> {
  const all = await listAllFiles(dir);
  const rules = await readFile(path.join(dir, '.dockerignore'), 'utf8').catch(() => undefined);
  if (rules === undefined) return all;
  const ignore = dockerignore().add(rules);
  return all.filter((rel) => ALWAYS_SENT.has(rel) || !ignore.ignores(rel));
}

async function listAllFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  async function walk(rel: string): Promise<void> {
    const entries = await readdir(path.join(dir, rel), { withFileTypes: true });
    for (const entry of entries) {
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        if (rel !== '' || !IGNORED_DIRS.has(entry.name)) await walk(child);
      } else {
        out.push(child);
      }
    }
  }
  await walk('');
  return out.sort();
}

async function hashFile(hash: Hash, file: string): Promise<void> {
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
}

/** sha256 (hex) of one file's contents. */
export async function fileHash(file: string): Promise<string> {
  const hash = createHash('sha256');
  await hashFile(hash, file);
  return hash.digest('hex');
}

/**
 * sha256 over the build context (paths, executable bits, contents, symlink targets) and the given
 * extra inputs (parent recipe hash, builder parameters), so any change to what an image is made of
 * changes its hash.
 */
export async function recipeHash(contextDir: string | undefined, extra: readonly string[]): Promise<string> {
  const hash = createHash('sha256');
  for (const item of extra) hash.update(`extra\0${item}\0`);
  if (contextDir) {
    for (const rel of await listContextFiles(contextDir)) {
      const abs = path.join(contextDir, rel);
      const st = await lstat(abs);
      if (st.isSymbolicLink()) {
        hash.update(`link\0${rel}\0${await readlink(abs)}\0`);
      } else {
        hash.update(`file\0${rel}\0${st.mode & 0o111 ? 'x' : '-'}\0${st.size}\0`);
        await hashFile(hash, abs);
      }
    }
  }
  return hash.digest('hex');
}
