// A section of bench/RESULTS.md written by another benchmark (bench/ui-dashboard.ts,
// bench/crash-heal.ts), between markers naming it, so that each benchmark rewrites only its own part
// (all of them below the line `npm run bench` keeps).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

const DEFAULT_BENCH = 'bench/ui-dashboard.ts';
const markers = (bench: string) => [`<!-- begin: ${bench} -->`, `<!-- end: ${bench} -->`] as const;

/** Replaces the marked section (or appends it), leaving the rest of the file as it is. */
export function writeSection(file: string, body: string, bench = DEFAULT_BENCH): void {
  const [BEGIN, END] = markers(bench);
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
