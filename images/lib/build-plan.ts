import type Docker from 'dockerode';
import type { Recipe } from '../recipes.ts';
import { BASE_CHANGES } from '../recipes.ts';
import { createRootfs } from './debootstrap.ts';
import { DockerStreamError } from './docker-stream.ts';
import { buildFromContext, existingImage, importRootfs } from './engine.ts';
import { RECIPE_HASH_LABEL, recipeHash } from './recipe-hash.ts';

export type Outcome =
  | { id: string; ref: string; status: 'built' | 'skipped'; hash: string; seconds: number; replaced?: string }
  | { id: string; ref: string; status: 'not-buildable'; reason: string; seconds: number }
  | { id: string; ref: string; status: 'failed'; error: unknown; seconds: number };

export interface PlanOptions {
  docker: Docker;
  repoRoot: string;
  /** Rebuild even when the recipe hash label matches. */
  force: boolean;
  log: (line: string) => void;
  /** Sees every engine output line, prefixed with the recipe id (verbose mode). */
  onLine?: (id: string, line: string) => void;
}

/**
 * Builds every recipe once its parent is done; independent recipes run in parallel. An image whose
 * `dev.mkdev.recipe-hash` label equals the freshly computed hash is skipped.
 */
export async function runPlan(recipes: readonly Recipe[], opts: PlanOptions): Promise<Outcome[]> {
  const started = new Map<string, Promise<Outcome>>();
  const byId = new Map(recipes.map((recipe) => [recipe.id, recipe]));
  const start = (recipe: Recipe): Promise<Outcome> => {
    let promise = started.get(recipe.id);
    if (!promise) {
      const parent = recipe.parent ? byId.get(recipe.parent) : undefined;
      if (recipe.parent && !parent) throw new Error(`${recipe.id}: unknown parent recipe ${recipe.parent}`);
      promise = (parent ? start(parent) : Promise.resolve(undefined)).then((parentOutcome) =>
        buildOne(recipe, parentOutcome, opts),
      );
      started.set(recipe.id, promise);
    }
    return promise;
  };
  return Promise.all(recipes.map(start));
}

async function buildOne(recipe: Recipe, parent: Outcome | undefined, opts: PlanOptions): Promise<Outcome> {
  const t0 = performance.now();
  const seconds = () => Math.round((performance.now() - t0) / 100) / 10;
  const base = { id: recipe.id, ref: recipe.ref };
  if (parent && parent.status !== 'built' && parent.status !== 'skipped') {
    const outcome: Outcome = {
      ...base,
      status: 'failed',
      error: new Error(`parent image ${parent.ref} is not available (${parent.status})`),
      seconds: 0,
    };
    report(outcome, opts.log);
    return outcome;
  }
  let cleanup: (() => Promise<void>) | undefined;
  try {
    const prepared = await recipe.prepare(opts.repoRoot);
    if ('skip' in prepared) {
      const outcome: Outcome = {
        ...base,
        status: 'not-buildable',
        reason: prepared.skip,
        seconds: seconds(),
      };
      report(outcome, opts.log);
      return outcome;
    }
    const hash = await recipeHash(prepared.dir, [
      `recipe:${recipe.id}:${recipe.ref}:${recipe.kind}`,
      `parent:${parent && 'hash' in parent ? parent.hash : ''}`,
      ...(recipe.kind === 'rootfs' ? BASE_CHANGES : []),
      ...prepared.hashInputs,
    ]);
    const existing = await existingImage(opts.docker, recipe.ref);
    if (!opts.force && existing?.hash === hash) {
      const outcome: Outcome = { ...base, status: 'skipped', hash, seconds: seconds() };
      report(outcome, opts.log);
      return outcome;
    }
    const onLine = opts.onLine ? (line: string) => opts.onLine?.(recipe.id, line) : undefined;
    if (recipe.kind === 'rootfs') {
      if (!recipe.rootfs) throw new Error(`${recipe.id}: a rootfs recipe needs debootstrap parameters`);
      const rootfs = await createRootfs(recipe.rootfs, prepared.dir, opts.log);
      try {
        const changes = [...BASE_CHANGES, `LABEL ${RECIPE_HASH_LABEL}=${hash}`];
        await importRootfs(opts.docker, rootfs.dir, recipe.ref, changes, onLine);
      } finally {
        await rootfs.cleanup();
      }
    } else {
      let contextDir = prepared.dir;
      if (prepared.materialize) {
        const staged = await prepared.materialize();
        contextDir = staged.dir;
        cleanup = staged.cleanup;
      }
      // The Dockerfile's FROM is its BASE_IMAGE build argument: the parent of this very set (its prefix).
      const buildArgs: Record<string, string> = {
        ...recipe.buildArgs,
        ...(parent ? { BASE_IMAGE: parent.ref } : {}),
      };
      await buildFromContext(opts.docker, contextDir, recipe.ref, hash, buildArgs, onLine);
    }
    const outcome: Outcome = { ...base, status: 'built', hash, seconds: seconds() };
    if (existing) outcome.replaced = existing.id;
    report(outcome, opts.log);
    return outcome;
  } catch (error) {
    const outcome: Outcome = { ...base, status: 'failed', error, seconds: seconds() };
    report(outcome, opts.log);
    return outcome;
  } finally {
    await cleanup?.();
  }
}

function report(outcome: Outcome, log: (line: string) => void): void {
  const name = outcome.ref.padEnd(36);
  switch (outcome.status) {
    case 'built':
    case 'skipped':
      log(`${name} ${outcome.status.padEnd(8)} ${outcome.seconds.toFixed(1)}s`);
      break;
    case 'not-buildable':
      log(`${name} not built: ${outcome.reason}`);
      break;
    case 'failed': {
      const error = outcome.error;
      const message = error instanceof Error ? error.message : String(error);
      log(`${name} FAILED   ${outcome.seconds.toFixed(1)}s: ${message}`);
      if (error instanceof DockerStreamError && error.tail.length > 0) {
        log(`  --- last ${error.tail.length} lines of the build output (${outcome.id}) ---`);
        for (const line of error.tail) log(`  | ${line}`);
      }
      break;
    }
  }
}
