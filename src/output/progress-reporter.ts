// How `up` shows progress: a listr2 tree in a terminal, plain lines without one, NDJSON with --json.
// Execution only emits events; this layer decides what a person (or a script) sees.
import { percent } from '../engine/pull-progress.ts';
import type { StackEvent } from '../plan/events.ts';
import { formatDuration } from '../stack/duration.ts';
import type { ProgressReporter } from './reporter.ts';

export type ReporterKind = 'tree' | 'plain' | 'json';

export function chooseReporter(json: boolean, stream: NodeJS.WriteStream = process.stderr): ReporterKind {
  if (json) return 'json';
  return stream.isTTY && process.env.CI === undefined && process.env.TERM !== 'dumb' ? 'tree' : 'plain';
}

export async function createReporter(
  kind: ReporterKind,
  mask: (s: string) => string,
): Promise<ProgressReporter> {
  if (kind === 'json') return jsonReporter(mask);
  if (kind === 'plain') return plainReporter(mask);
  const { treeReporter } = await import('./tree-reporter.ts');
  return treeReporter(mask);
}

const QUIET_STEPS = new Set(['pull', 'build']);

/**
 * Plain lines, for logs and CI. A pull prints when it starts, at each further tenth of its bytes, and
 * when done ('image-ready'); build output, which has no measure of how far it is, at most every 2 s.
 */
function plainReporter(mask: (s: string) => string): ProgressReporter {
  const lastPrinted = new Map<string, number>();
  const tenthShown = new Map<string, number>();
  const print = (e: StackEvent) =>
    process.stderr.write(`[${formatDuration(e.at).padStart(6)}] ${e.service}: ${mask(e.message)}\n`);
  return {
    start: () => {},
    event(e) {
      if (e.pull !== undefined) {
        const key = `${e.service} ${e.pull.image}`;
        const tenth = Math.floor(percent(e.pull.bytes) / 10);
        if (tenth <= (tenthShown.get(key) ?? 0)) return;
        tenthShown.set(key, tenth);
      } else if (QUIET_STEPS.has(e.step) && !isPullStart(e)) {
        const last = lastPrinted.get(e.service) ?? -Infinity;
        if (e.at - last < 2000) return;
        lastPrinted.set(e.service, e.at);
      }
      print(e);
    },
    stop: async () => {},
  };
}

/** The line a pull starts with, before any progress: always printed. */
function isPullStart(e: StackEvent): boolean {
  return e.step === 'pull' && e.pull === undefined;
}

/** One JSON object a line on stdout; a pull's progress carries `image`, `layers` and `bytes` as numbers. */
function jsonReporter(mask: (s: string) => string): ProgressReporter {
  return {
    start: () => {},
    event(e) {
      const { pull, ...event } = e;
      process.stdout.write(
        `${JSON.stringify({ type: 'event', ...event, message: mask(e.message), ...pull })}\n`,
      );
    },
    stop: async () => {},
  };
}
