// Medians and spreads of the benchmark's samples, and their formatting for RESULTS.md.

export interface Summary {
  readonly n: number;
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

export function summarize(samples: readonly number[]): Summary | undefined {
  if (samples.length === 0) return undefined;
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median =
    sorted.length % 2 === 1
      ? (sorted[mid] as number)
      : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
  return { n: sorted.length, median, min: sorted[0] as number, max: sorted[sorted.length - 1] as number };
}

/** Seconds with a precision that suits the size: 0.123 s, 12.3 s. */
export function seconds(ms: number): string {
  const s = ms / 1000;
  return s < 1 ? `${s.toFixed(3)} s` : `${s.toFixed(1)} s`;
}

export function spread(summary: Summary | undefined, unit: (v: number) => string = seconds): string {
  if (summary === undefined) return 'n/a';
  return `${unit(summary.median)} (${unit(summary.min)} – ${unit(summary.max)}, n=${summary.n})`;
}
