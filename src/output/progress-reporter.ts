// How `up` shows progress: a listr2 tree in a terminal, plain lines without one, NDJSON with --json.
// Execution only emits events; this layer decides what a person (or a script) sees.
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

function plainReporter(mask: (s: string) => string): ProgressReporter {
  const lastPrinted = new Map<string, number>();
  return {
    start: () => {},
    event(e) {
      // Pull and build progress is chatty; in plain output, print it at most every 2 s per service.
      if (QUIET_STEPS.has(e.step)) {
        const last = lastPrinted.get(e.service) ?? -Infinity;
        if (e.at - last < 2000) return;
        lastPrinted.set(e.service, e.at);
      }
      process.stderr.write(`[${formatDuration(e.at).padStart(6)}] ${e.service}: ${mask(e.message)}\n`);
    },
    stop: async () => {},
  };
}

function jsonReporter(mask: (s: string) => string): ProgressReporter {
  return {
    start: () => {},
    event(e) {
      process.stdout.write(`${JSON.stringify({ type: 'event', ...e, message: mask(e.message) })}\n`);
    },
    stop: async () => {},
  };
}
