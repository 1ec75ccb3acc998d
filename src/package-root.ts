// The mkdev package's own directory and manifest, found by walking up from this module. Every file mkdev
// ships (stacks/, templates/, dist/register/, the dashboard's assets) is located from here, so a path
// holds wherever the code runs: src/ in a checkout (tests), dist/ after tsc, or the bundled CLI, whose
// chunks sit at one depth whatever module they came from.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

interface Manifest {
  readonly name?: string;
  readonly version: string;
}

function findPackageRoot(start: string): { dir: string; manifest: Manifest } {
  for (let dir = start; ; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const manifest = JSON.parse(readFileSync(file, 'utf8')) as Manifest;
      if (manifest.name === 'mkdev') return { dir, manifest };
    }
    if (dirname(dir) === dir) throw new Error(`mkdev's package.json was not found above ${start}`);
  }
}

const found = findPackageRoot(dirname(fileURLToPath(import.meta.url)));

/** The mkdev package's directory (no trailing slash). */
export const MKDEV_HOME: string = found.dir;
export const MKDEV_VERSION: string = found.manifest.version;

/** A path inside the mkdev package. */
export function packagePath(...parts: string[]): string {
  return join(MKDEV_HOME, ...parts);
}
