// The service templates shipped in templates/<lang>/, located relative to this module (as stacks/ is),
// so it works from src/ in a checkout and from dist/ in an installed package.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { packagePath } from '../package-root.ts';

export const TEMPLATES_DIR = `${packagePath('templates')}/`;
export const LANGUAGES = ['ts', 'python', 'go'] as const;

/** Never copied: build output and caches, and the TS template's stand-in for the vendored library. */
const SKIPPED = new Set(['node_modules', '__pycache__', 'dist', '.venv']);
const SKIPPED_PATHS = new Set(['vendor']);

export interface TemplateFile {
  /** Path relative to the template (and to the new service), with / separators. */
  readonly path: string;
  readonly content: string;
  readonly mode: number;
}

export interface Placeholders {
  readonly serviceName: string;
  readonly routePath: string;
  readonly port: number;
}

function renderPlaceholders(text: string, values: Placeholders): string {
  return text
    .replaceAll('__SERVICE_NAME__', values.serviceName)
    .replaceAll('__ROUTE_PATH__', values.routePath)
    .replaceAll('__PORT__', String(values.port));
}

/** The template's files, rendered, in memory: nothing is written until every check has passed. */
export function renderTemplate(
  language: string,
  values: Placeholders,
  dir = join(TEMPLATES_DIR, language),
): TemplateFile[] {
  const files: TemplateFile[] = [];
  const walk = (current: string) => {
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      const full = join(current, entry.name);
      const rel = relative(dir, full).split('\\').join('/');
      if (SKIPPED.has(entry.name) || SKIPPED_PATHS.has(rel) || entry.name.endsWith('.pyc')) continue;
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) {
        files.push({
          path: rel,
          content: renderPlaceholders(readFileSync(full, 'utf8'), values),
          mode: statSync(full).mode & 0o777,
        });
      }
    }
  };
  walk(dir);
  return files.sort((a, b) => a.path.localeCompare(b.path));
}
