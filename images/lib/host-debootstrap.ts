import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);
const ensureHostPackages = fileURLToPath(new URL('../../scripts/ensure-host-packages.sh', import.meta.url));
let ready: Promise<string> | undefined;

function findOnPath(name: string): string | undefined {
  const dirs = (process.env.PATH ?? '').split(':').concat(['/usr/sbin', '/sbin']);
  return dirs.map((dir) => path.join(dir, name)).find((candidate) => existsSync(candidate));
}

/**
 * The host's debootstrap, installed when missing: once per process however many base images are built
 * in parallel, through scripts/ensure-host-packages.sh, whose lock keeps every other apt-get of ours
 * out meanwhile. (Each base build installing it on its own ran two `apt-get update`s at once; the
 * second lost apt's lock and every image FROM its base failed.)
 */
export function ensureDebootstrap(log: (line: string) => void): Promise<string> {
  ready ??= install(log);
  return ready;
}

async function install(log: (line: string) => void): Promise<string> {
  const found = findOnPath('debootstrap');
  if (found) return found;
  log('debootstrap is missing: installing it');
  try {
    await execFileAsync(ensureHostPackages, ['debootstrap=debootstrap']);
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim();
    throw new Error(`installing debootstrap failed${stderr ? `:\n${stderr}` : ''}`);
  }
  const installed = findOnPath('debootstrap');
  if (!installed) throw new Error('debootstrap still not found after installing it');
  return installed;
}
