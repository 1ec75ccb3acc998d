// Integration tests drive the built CLI, so build it once before any test runs (about a second).
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export default function setup(): void {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  execFileSync(process.execPath, [`${root}/node_modules/typescript/bin/tsc`, '-p', 'tsconfig.build.json'], {
    cwd: root,
    stdio: 'inherit',
  });
  // The dashboard's page (dist/ui/assets), bundled by esbuild as `npm run build` does.
  execFileSync(process.execPath, ['scripts/build-ui.ts'], { cwd: root, stdio: 'inherit' });
}
