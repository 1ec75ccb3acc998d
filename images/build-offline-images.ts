/**
 * `npm run images:offline`: builds the offline image set (a debootstrapped Debian base and images
 * FROM it) with dockerode, so mkdev's stacks and tests run on machines without any image registry.
 *
 * Flags: --force (rebuild everything), --verbose (stream engine output), --only=<id,...>
 * (build just these recipes and their parents).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runPlan } from './lib/build-plan.ts';
import { connectDocker, removeReplaced } from './lib/engine.ts';
import { writeImageMap } from './lib/image-map.ts';
import { RECIPES, type Recipe } from './recipes.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function selectRecipes(only: string | undefined): Recipe[] {
  if (!only) return [...RECIPES];
  const wanted = new Set<string>();
  const add = (id: string) => {
    const recipe = RECIPES.find((candidate) => candidate.id === id);
    if (!recipe) throw new Error(`unknown recipe "${id}" (known: ${RECIPES.map((r) => r.id).join(', ')})`);
    wanted.add(id);
    if (recipe.parent) add(recipe.parent);
  };
  for (const id of only.split(',')) add(id.trim());
  return RECIPES.filter((recipe) => wanted.has(recipe.id));
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const force = args.includes('--force');
  const verbose = args.includes('--verbose');
  const only = args.find((arg) => arg.startsWith('--only='))?.slice('--only='.length);
  const recipes = selectRecipes(only);
  const docker = connectDocker();
  try {
    await docker.ping();
  } catch (error) {
    console.error(`Docker engine not reachable (${(error as Error).message}); run scripts/ensure-docker.sh`);
    return 1;
  }
  const t0 = performance.now();
  const outcomes = await runPlan(recipes, {
    docker,
    repoRoot,
    force,
    log: (line) => console.log(line),
    ...(verbose ? { onLine: (id: string, line: string) => console.log(`  [${id}] ${line}`) } : {}),
  });
  const replaced = outcomes.flatMap((outcome) =>
    'replaced' in outcome && outcome.replaced ? [outcome.replaced] : [],
  );
  const removed = await removeReplaced(docker, replaced);
  if (removed > 0) console.log(`removed ${removed} superseded image(s)`);
  const mapFile = await writeImageMap(repoRoot);
  const failed = outcomes.filter((outcome) => outcome.status === 'failed');
  const total = ((performance.now() - t0) / 1000).toFixed(1);
  console.log(`${failed.length === 0 ? 'done' : `${failed.length} image(s) FAILED`} in ${total}s`);
  console.log(`image map: ${mapFile}`);
  return failed.length === 0 ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exitCode = 1;
  },
);
