// Bundles the dashboard's page (src/ui/page) with esbuild into dist/ui/assets/app.{js,css}: every
// library it uses (dagre, uPlot) and its styles ship inside the package; the page fetches nothing.

import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
await build({
  absWorkingDir: root,
  entryPoints: ['src/ui/page/main.ts'],
  outfile: 'dist/ui/assets/app.js',
  bundle: true,
  minify: true,
  format: 'iife',
  target: ['chrome110', 'firefox110', 'safari16'],
  legalComments: 'none',
  logLevel: 'warning',
});
