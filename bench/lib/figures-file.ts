// How a bench script run on its own (bench:ui, bench:crash, rabbitmq-lifecycle) hands its samples to
// `npm run bench --only <scenario>`, which records them in bench/history.ndjson: a JSON file named by
// MKDEV_BENCH_FIGURES. Run alone, the scripts write nothing extra.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

export const FIGURES_ENV = 'MKDEV_BENCH_FIGURES';

export function emitFigures(samples: Readonly<Record<string, readonly number[]>>): void {
  const file = process.env[FIGURES_ENV];
  if (file) writeFileSync(file, JSON.stringify(samples));
}

export function takeFigures(file: string): Record<string, number[]> {
  if (!existsSync(file)) return {};
  const samples = JSON.parse(readFileSync(file, 'utf8')) as Record<string, number[]>;
  rmSync(file, { force: true });
  return samples;
}
