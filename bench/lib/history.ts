// bench/history.ndjson: one line per bench run (date, commit, machine, every figure's summary), so
// RESULTS.md can set each figure beside its previous runs and a regression is seen at a glance.
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { type Summary, summarize } from './stats.ts';

export interface Machine {
  readonly cpus: number;
  readonly model: string;
  readonly memoryGiB: number;
  readonly node: string;
  readonly engine: string;
  readonly loadAverage: readonly number[];
}

export interface HistoryEntry {
  readonly date: string;
  readonly commit: string;
  /** The working tree had uncommitted changes when the run started. */
  readonly dirty: boolean;
  /** A line made by hand from an older RESULTS.md, before the history existed. */
  readonly seededFrom?: string;
  readonly machine: Machine;
  readonly scenarios: readonly string[];
  readonly figures: Readonly<Record<string, Summary & { readonly samples: readonly number[] }>>;
}

export function readHistory(file: string): HistoryEntry[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as HistoryEntry];
      } catch {
        // A line cut short (a run killed mid-write) is skipped, not fatal to every later run.
        return [];
      }
    });
}

export function appendHistory(file: string, entry: HistoryEntry): void {
  appendFileSync(file, `${JSON.stringify(entry)}\n`);
}

function git(root: string, args: string[]): string {
  try {
    return execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trim();
  } catch {
    return '';
  }
}

export function makeEntry(
  root: string,
  started: Date,
  engine: string,
  scenarios: readonly string[],
  samples: Readonly<Record<string, readonly number[]>>,
): HistoryEntry {
  const figures = Object.fromEntries(
    Object.entries(samples).flatMap(([key, values]) => {
      const s = summarize(values);
      return s === undefined ? [] : [[key, { ...s, samples: values.map((v) => Math.round(v)) }]];
    }),
  );
  return {
    date: started.toISOString(),
    commit: git(root, ['rev-parse', '--short=12', 'HEAD']) || 'unknown',
    dirty: git(root, ['status', '--porcelain', '--untracked-files=no']) !== '',
    machine: {
      cpus: cpus().length,
      model: cpus()[0]?.model ?? 'unknown',
      memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
      node: process.version,
      engine,
      loadAverage: loadavg().map((l) => Math.round(l * 100) / 100),
    },
    scenarios,
    figures,
  };
}

export interface Latest {
  readonly summary: Summary;
  /** The run it comes from, when not the current one (a figure this run did not measure). */
  readonly from?: HistoryEntry;
  /** Medians of the runs before it that measured it, newest first. */
  readonly previous: readonly number[];
}

/**
 * Every figure known, each at its latest measurement: this run's, or the newest earlier run that
 * measured it (so `--only` rewrites RESULTS.md without dropping the other scenarios' figures).
 */
export function latestFigures(
  history: readonly HistoryEntry[],
  current: HistoryEntry,
  keep = 5,
): Map<string, Latest> {
  const runs = [current, ...[...history].reverse()];
  const keys = new Set(runs.flatMap((r) => Object.keys(r.figures)));
  const out = new Map<string, Latest>();
  for (const key of keys) {
    const having = runs.filter((r) => r.figures[key] !== undefined);
    const [newest, ...older] = having;
    if (newest === undefined) continue;
    out.set(key, {
      summary: newest.figures[key] as Summary,
      ...(newest === current ? {} : { from: newest }),
      previous: older.slice(0, keep).map((r) => r.figures[key]?.median as number),
    });
  }
  return out;
}
