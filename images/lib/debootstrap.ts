import { spawn } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ensureDebootstrap } from './host-debootstrap.ts';

/** What the Debian base rootfs is made from; part of the base image's recipe hash. */
export interface DebootstrapParams {
  suite: string;
  variant: string;
  mirror: string;
}

/** A minbase Debian release from deb.debian.org (plain HTTP: no TLS trust needed inside the image). */
export function baseParams(suite: string): DebootstrapParams {
  return { suite, variant: 'minbase', mirror: 'http://deb.debian.org/debian' };
}

/** The base image's apt sources: the release, its updates and its security archive. */
export function aptSources(params: DebootstrapParams): string {
  const { mirror, suite } = params;
  const security = mirror.replace(/\/debian$/, '/debian-security');
  return [
    `# mkdev-offline base: Debian ${suite} from the mirror over plain HTTP (no TLS trust needed inside the image).`,
    `deb ${mirror} ${suite} main`,
    `deb ${mirror} ${suite}-updates main`,
    `deb ${security} ${suite}-security main`,
    '',
  ].join('\n');
}

/** Runs a command, keeping the last lines of its output for error messages. */
export function run(
  cmd: string,
  args: readonly string[],
  opts: { env?: NodeJS.ProcessEnv } = {},
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: opts.env ?? process.env });
    const tail: string[] = [];
    const collect = (chunk: Buffer) => {
      tail.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      if (tail.length > 40) tail.splice(0, tail.length - 40);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve();
      else reject(new Error(`${cmd} ${args.join(' ')} failed (exit ${code}):\n  ${tail.join('\n  ')}`));
    });
  });
}

/** Unmounts anything debootstrap left mounted below `dir` (it mounts proc/sys while configuring). */
async function unmountBelow(dir: string): Promise<void> {
  const mounts = (await readFile('/proc/mounts', 'utf8'))
    .split('\n')
    .map((line) => line.split(' ')[1] ?? '')
    .filter((mountPoint) => mountPoint.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
  for (const mountPoint of mounts) await run('umount', ['-l', mountPoint]).catch(() => undefined);
}

/**
 * Creates a minbase Debian rootfs in a temporary directory, lays the overlay directory over it
 * (apt sources, slim dpkg/apt settings) and strips caches. Returns the directory and a cleanup.
 */
export async function createRootfs(
  params: DebootstrapParams,
  overlayDir: string,
  log: (line: string) => void,
): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const debootstrap = await ensureDebootstrap(log);
  const parent = await mkdtemp(path.join(os.tmpdir(), 'mkdev-rootfs-'));
  const dir = path.join(parent, 'rootfs');
  const cleanup = async () => {
    await unmountBelow(dir);
    await rm(parent, { recursive: true, force: true });
  };
  try {
    await run(debootstrap, [`--variant=${params.variant}`, params.suite, dir, params.mirror], {
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    await unmountBelow(dir);
    await cp(overlayDir, dir, { recursive: true, force: true });
    // One overlay serves every release: the apt sources name the release debootstrap installed.
    await rm(path.join(dir, 'etc/apt/sources.list.d/debian.sources'), { force: true });
    await writeFile(path.join(dir, 'etc/apt/sources.list'), aptSources(params));
    // Trim what the slim official images do not carry: package lists, caches, logs, docs.
    await run('sh', [
      '-c',
      [
        'set -e',
        `cd '${dir}'`,
        'rm -rf var/lib/apt/lists/* var/cache/apt/*.bin var/cache/apt/archives/*.deb var/cache/debconf/*-old',
        'rm -rf usr/share/man/* usr/share/info/* usr/share/lintian/* usr/share/groff/*',
        'find usr/share/locale -mindepth 1 -maxdepth 1 -not -name locale.alias -exec rm -rf {} +',
        'find usr/share/doc -mindepth 1 -not -name copyright -not -type d -delete',
        'find usr/share/doc -mindepth 1 -type d -empty -delete',
        'find var/log -type f -exec truncate -s 0 {} +',
        'rm -f etc/machine-id var/lib/dbus/machine-id && : > etc/machine-id',
      ].join('\n'),
    ]);
    return { dir, cleanup };
  } catch (error) {
    await cleanup();
    throw error;
  }
}
