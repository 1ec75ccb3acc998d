// A section of bench/RESULTS.md written by another benchmark (bench/ui-dashboard.ts), between
// markers, so that each benchmark rewrites only its own part of the file.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

export const BEGIN = '<!-- begin: bench/ui-dashboard.ts -->';
export const END = '<!-- end: bench/ui-dashboard.ts -->';

/** Replaces the marked section (or appends it), leaving the rest of the file as it is. */
export function writeSection(file: string, body: string): void {
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const section = `${BEGIN}\n${body.trimEnd()}\n${END}`;
  const from = text.indexOf(BEGIN);
  const to = text.indexOf(END);
  const next =
    from >= 0 && to > from
      ? `${text.slice(0, from)}${section}${text.slice(to + END.length)}`
      : `${text.trimEnd()}\n\n${section}\n`;
  writeFileSync(file, next);
}
