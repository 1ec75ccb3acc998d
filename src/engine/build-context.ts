// A build context as a tar stream: the context directory (minus .dockerignore'd files, .git and
// node_modules) plus, when the host names one, its extra CA bundle as `mkdev-ca.crt`, because
// corporate proxies re-sign HTTPS and `npm ci` / `pip install` inside the build must trust them.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const CA_FILE_IN_CONTEXT = 'mkdev-ca.crt';
const ALWAYS_IGNORED = new Set(['.git', 'node_modules', '.mkdev', 'dist']);

/** The host's extra CA bundle: MKDEV_CA_BUNDLE, else NODE_EXTRA_CA_CERTS, else none. */
export function hostCaBundle(env = process.env): string | undefined {
  const file = env.MKDEV_CA_BUNDLE ?? env.NODE_EXTRA_CA_CERTS;
  return file && existsSync(file) ? file : undefined;
}

function ignorePatterns(context: string): RegExp[] {
  const file = join(context, '.dockerignore');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#') && !l.startsWith('!'))
    .map((glob) => {
      const body = glob
        .replace(/^\/+|\/+$/g, '')
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .split('**')
        .map((part) => part.replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]'))
        .join('.*');
      return new RegExp(`^${body}(/.*)?$`);
    });
}

export function contextFiles(context: string): string[] {
  // A missing context hashes as empty; preflight reports it before anything is built.
  if (!existsSync(context) || !statSync(context).isDirectory()) return [];
  const patterns = ignorePatterns(context);
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      const rel = relative(context, full);
      if (ALWAYS_IGNORED.has(entry.name) || patterns.some((p) => p.test(rel))) continue;
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) files.push(rel);
    }
  };
  walk(context);
  return files.sort();
}

/** Hash of everything that goes into the build: a changed file means a rebuild and a recreate. */
export function contextHash(context: string, extra: Readonly<Record<string, string>> = {}): string {
  const hash = createHash('sha256');
  for (const rel of contextFiles(context))
    hash
      .update(rel)
      .update('\0')
      .update(readFileSync(join(context, rel)))
      .update('\0');
  hash.update(JSON.stringify(extra));
  return hash.digest('hex').slice(0, 16);
}

/** The context as a tar stream (tar-stream is loaded here, by a build, not by every command's start). */
export async function packContext(context: string, caBundle?: string): Promise<NodeJS.ReadableStream> {
  // Its default export: tar-stream is CommonJS, and the bundle's chunk for it has no named exports.
  const { pack } = (await import('tar-stream')).default;
  const tar = pack();
  for (const rel of contextFiles(context)) {
    const full = join(context, rel);
    tar.entry({ name: rel, mode: statSync(full).mode & 0o777 }, readFileSync(full));
  }
  if (caBundle) tar.entry({ name: CA_FILE_IN_CONTEXT, mode: 0o644 }, readFileSync(caBundle));
  else tar.entry({ name: CA_FILE_IN_CONTEXT, mode: 0o644 }, Buffer.from(''));
  tar.finalize();
  return tar as unknown as NodeJS.ReadableStream;
}
