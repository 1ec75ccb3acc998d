// Where a container's shutdown spends its time, read from the log lines the process wrote after it
// was told to stop (the engine's own timestamps, `docker logs -t`), and from when the engine saw it exit.

export interface LogLine {
  readonly atMs: number;
  readonly text: string;
}

export interface ShutdownBreakdown {
  /** From the stop request to the first log line after it (the process noticing the signal). */
  readonly toFirstLineMs: number;
  /** From the first to the last log line after the stop request. */
  readonly loggedMs: number;
  /** From the last log line to the engine's FinishedAt (the VM halting, unlogged). */
  readonly afterLastLineMs: number;
  /** The longest silence between two consecutive lines after the stop request, and the line before it. */
  readonly longestGapMs: number;
  readonly longestGapAfter: string;
}

/** Parses `docker logs --timestamps` text: each line starts with an RFC 3339 timestamp (ns precision). */
export function parseTimestamped(text: string): LogLine[] {
  const lines: LogLine[] = [];
  for (const raw of text.split('\n')) {
    const space = raw.indexOf(' ');
    if (space < 0) continue;
    const atMs = Date.parse(raw.slice(0, space));
    if (Number.isNaN(atMs)) continue;
    lines.push({ atMs, text: raw.slice(space + 1) });
  }
  return lines;
}

export function breakdown(
  lines: readonly LogLine[],
  stopAtMs: number,
  finishedAtMs: number,
): ShutdownBreakdown {
  const after = lines.filter((line) => line.atMs >= stopAtMs);
  const first = after[0];
  const last = after[after.length - 1];
  if (first === undefined || last === undefined) {
    return {
      toFirstLineMs: Number.NaN,
      loggedMs: 0,
      afterLastLineMs: finishedAtMs - stopAtMs,
      longestGapMs: 0,
      longestGapAfter: '(no log line after the stop request)',
    };
  }
  let longestGapMs = 0;
  let longestGapAfter = '';
  for (let i = 1; i < after.length; i++) {
    const gap = (after[i] as LogLine).atMs - (after[i - 1] as LogLine).atMs;
    if (gap > longestGapMs) {
      longestGapMs = gap;
      longestGapAfter = (after[i - 1] as LogLine).text;
    }
  }
  const tail = finishedAtMs - last.atMs;
  if (tail > longestGapMs) {
    longestGapMs = tail;
    longestGapAfter = `${last.text} (then nothing until the exit)`;
  }
  return {
    toFirstLineMs: first.atMs - stopAtMs,
    loggedMs: last.atMs - first.atMs,
    afterLastLineMs: tail,
    longestGapMs,
    longestGapAfter,
  };
}
