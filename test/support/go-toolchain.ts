// Go on the host, for what runs there: `mkdev run <go-service> -- go run .` and the Go contract driver.
// The host (Debian 12) has no Go 1.27, so the toolchain and the module cache are copied out of the
// offline Go image (Debian's golang-1.27 package, whose go binary is static) into .cache/, once per
// image: a user's machine has Go and the module proxy instead. Offline like the image: GOPROXY=off.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { docker, offlineImage, ROOT } from './cli.ts';

export interface GoToolchain {
  /** The go binary. */
  readonly go: string;
  /** PATH with the toolchain first, and the module cache and settings the offline image has. */
  readonly env: Record<string, string>;
}

/** Where the image keeps the toolchain (GOROOT's bin, src/ linked into /usr/share) and the module cache. */
const COPIED = ['/usr/lib/go-1.27', '/usr/share/go-1.27', '/go/pkg/mod'];

function untar(stream: NodeJS.ReadableStream, dir: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const tar = spawn('tar', ['-x', '-C', dir], { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    tar.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    tar.on('error', reject);
    tar.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`tar -x failed: ${stderr}`))));
    stream.on('error', reject);
    stream.pipe(tar.stdin);
  });
}

export async function goToolchain(): Promise<GoToolchain> {
  const image = await offlineImage('golang:1.27-trixie');
  const id = (await docker.getImage(image).inspect()).Id.replace(/^sha256:/, '').slice(0, 12);
  const root = join(ROOT, '.cache', `go-toolchain-${id}`);
  if (!existsSync(root)) {
    // Copied aside, then renamed into place: test files running at once never see half a toolchain.
    const partial = `${root}.${process.pid}.partial`;
    const container = await docker.createContainer({ Image: image, Cmd: ['true'] });
    try {
      for (const path of COPIED) {
        const parent = join(partial, path, '..');
        mkdirSync(parent, { recursive: true });
        await untar(await container.getArchive({ path }), parent);
      }
    } finally {
      await container.remove({ force: true });
    }
    try {
      renameSync(partial, root);
    } catch (error) {
      if (!existsSync(root)) throw error;
      // Another test file got there first: the module cache is read-only, so make it removable.
      spawn('chmod', ['-R', 'u+w', partial]).once('close', () =>
        rmSync(partial, { recursive: true, force: true }),
      );
    }
  }
  const goroot = join(root, 'usr/lib/go-1.27');
  return {
    go: join(goroot, 'bin', 'go'),
    env: {
      PATH: `${join(goroot, 'bin')}:${process.env.PATH ?? ''}`,
      GOROOT: goroot,
      GOMODCACHE: join(root, 'go/pkg/mod'),
      GOPATH: join(root, 'gopath'),
      GOCACHE: join(ROOT, '.cache', 'go-build'),
      GOPROXY: 'off',
      GOFLAGS: '-mod=mod',
      GOSUMDB: 'off',
      GOTOOLCHAIN: 'local',
      CGO_ENABLED: '0',
    },
  };
}

/**
 * A bind for containers of the offline Go image that run go vet and go test: one build cache on the
 * host (git-ignored) for all of them, so the standard library is compiled once, not in every container.
 * (Go's cache is safe to share between concurrent builds.)
 */
export function goBuildCacheBind(): string {
  const dir = join(ROOT, '.cache', 'go-build-in-containers');
  mkdirSync(dir, { recursive: true });
  return `${dir}:/root/.cache/go-build`;
}
