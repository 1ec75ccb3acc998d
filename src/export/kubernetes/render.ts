// The manifests as files: one YAML stream per file, and the kustomization.yaml listing them, so
// `kubectl apply -k <dir>` applies them all (and `kubectl kustomize <dir>` shows what would be).
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Document } from 'yaml';
import type { ManifestFile } from './objects.ts';

/** The first line of every file the export writes: what it may replace or remove on the next export. */
const GENERATED_MARK = '# Written by `mkdev export kubernetes`';

/**
 * kubectl reads YAML 1.1 (sigs.k8s.io/yaml), where `no`, `on` or `1:30` are not strings: written with a
 * 1.1 schema, such strings are quoted.
 */
const toYaml = (value: unknown) =>
  new Document(value, { version: '1.1', aliasDuplicateObjects: false }).toString({ lineWidth: 0 });

export function renderFile(file: ManifestFile, header: readonly string[] = []): string {
  const docs = file.objects.map(toYaml);
  return `${[GENERATED_MARK, ...header.map((l) => `# ${l}`)].join('\n')}\n${docs.map((d) => `---\n${d}`).join('')}`;
}

export function kustomization(files: readonly ManifestFile[]): string {
  return `${GENERATED_MARK}\n${toYaml({
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    resources: files.map((f) => f.name),
  })}`;
}

/**
 * Writes the files into `dir`, and removes those an earlier export wrote that this one does not (a
 * service taken out of the stack); other files are left alone. Secrets are readable by the owner only.
 */
export function writeManifests(
  dir: string,
  files: readonly ManifestFile[],
  header: readonly string[],
): string[] {
  mkdirSync(dir, { recursive: true });
  const written = new Map<string, string>(files.map((f) => [f.name, renderFile(f, header)]));
  written.set('kustomization.yaml', kustomization(files));
  if (existsSync(dir)) {
    for (const name of readdirSync(dir)) {
      if (!name.endsWith('.yaml') || written.has(name)) continue;
      const path = join(dir, name);
      if (readFileSync(path, 'utf8').startsWith(GENERATED_MARK)) rmSync(path);
    }
  }
  for (const [name, text] of written) {
    const secret = files.find((f) => f.name === name)?.objects.some((o) => o.kind === 'Secret');
    writeFileSync(join(dir, name), text, { mode: secret ? 0o600 : 0o644 });
    // The mode above applies only to a new file.
    if (secret) chmodSync(join(dir, name), 0o600);
  }
  return [...written.keys()];
}
