// Generated credentials, kept per project in <projectDir>/.mkdev/secrets.json (mode 0600) so that a
// second `up` uses the same passwords the volumes were initialised with.
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface SecretStore {
  get(name: string): string;
  /** Values handed out so far, for masking in output. */
  values(): string[];
  /** Writes newly generated secrets; a no-op when nothing new was generated. */
  save(): void;
}

export function secretsFile(projectDir: string): string {
  return join(projectDir, '.mkdev', 'secrets.json');
}

export function openSecretStore(projectDir: string, project: string): SecretStore {
  const file = secretsFile(projectDir);
  let all: Record<string, Record<string, string>> = {};
  try {
    all = JSON.parse(readFileSync(file, 'utf8')) as typeof all;
  } catch {
    // No file yet (or unreadable): start empty; secrets are generated on first use.
  }
  const mine: Record<string, string> = { ...(all[project] ?? {}) };
  const used = new Set<string>();
  let dirty = false;
  return {
    get(name) {
      let value = mine[name];
      if (value === undefined) {
        // URL-safe, so it can stand in connection strings without escaping.
        value = randomBytes(18).toString('base64url');
        mine[name] = value;
        dirty = true;
      }
      used.add(value);
      return value;
    },
    values: () => [...used],
    save() {
      if (!dirty) return;
      mkdirSync(join(projectDir, '.mkdev'), { recursive: true });
      writeFileSync(file, `${JSON.stringify({ ...all, [project]: mine }, null, 2)}\n`, { mode: 0o600 });
      chmodSync(file, 0o600);
      dirty = false;
    },
  };
}
