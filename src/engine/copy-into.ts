// Copies host files into a container through the engine's archive API (PUT /containers/{id}/archive):
// no image build, no docker CLI. Works on stopped containers too, so a fix reaches a crashed service.
import { readFileSync, statSync } from 'node:fs';
import type Docker from 'dockerode';
import type { CopyItem } from './engine.ts';

/** Builds the tar once: entries are absolute container paths, extracted at `/`. */
export async function tarOf(items: readonly CopyItem[]): Promise<Buffer> {
  // Its default export: tar-stream is CommonJS, and the bundle's chunk for it has no named exports.
  const { pack } = (await import('tar-stream')).default;
  const tar = pack();
  const chunks: Buffer[] = [];
  const done = new Promise<void>((resolve, reject) => {
    tar.on('data', (c) => chunks.push(c as Buffer));
    tar.on('end', () => resolve());
    tar.on('error', reject);
  });
  for (const item of items) {
    const stat = statSync(item.source);
    tar.entry(
      { name: item.target.replace(/^\/+/, ''), mode: stat.mode & 0o777, mtime: stat.mtime },
      readFileSync(item.source),
    );
  }
  tar.finalize();
  await done;
  return Buffer.concat(chunks);
}

export async function copyInto(container: Docker.Container, archive: Buffer): Promise<void> {
  await container.putArchive(archive, { path: '/' });
}
