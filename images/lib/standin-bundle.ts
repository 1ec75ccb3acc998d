import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { build } from 'esbuild';

/** Lets bundled ESM code `require()` CommonJS dependencies such as pg. */
const REQUIRE_BANNER =
  "import { createRequire } from 'module'; const require = createRequire(import.meta.url);";

/** Bundles `<dir>/src/main.ts` into `<dir>/dist/standin.mjs` (single file, Node 24, ESM). */
export async function bundleStandin(dir: string): Promise<string> {
  const outfile = path.join(dir, 'dist/standin.mjs');
  await mkdir(path.dirname(outfile), { recursive: true });
  const result = await build({
    entryPoints: [path.join(dir, 'src/main.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    banner: { js: REQUIRE_BANNER },
    logLevel: 'silent',
    legalComments: 'none',
  });
  for (const warning of result.warnings) {
    console.warn(`  esbuild warning (${path.basename(dir)}): ${warning.text}`);
  }
  return outfile;
}
