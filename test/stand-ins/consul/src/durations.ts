// Go-style durations ("1m30s", "500ms", "10s") as Consul accepts them in check definitions and ?wait.

const UNITS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** Parses a Go duration string into milliseconds; undefined when the text is not a duration. */
export function parseGoDuration(text: string): number | undefined {
  const s = text.trim();
  if (s === '0') return 0;
  if (s === '') return undefined;
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/gy;
  let total = 0;
  let consumed = 0;
  let sign = 1;
  let body = s;
  if (body.startsWith('-') || body.startsWith('+')) {
    sign = body.startsWith('-') ? -1 : 1;
    body = body.slice(1);
  }
  re.lastIndex = 0;
  for (let m = re.exec(body); m; m = re.exec(body)) {
    const unit = UNITS[m[2] ?? ''];
    if (unit === undefined) return undefined;
    total += Number(m[1]) * unit;
    consumed = re.lastIndex;
  }
  if (consumed !== body.length || consumed === 0) return undefined;
  return sign * total;
}

/** Accepts what Consul's JSON decoder accepts for durations: a Go string or a number of nanoseconds. */
export function durationFromJson(value: unknown): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'number') return value / 1e6;
  if (typeof value === 'string') return parseGoDuration(value);
  return undefined;
}

/** Formats milliseconds the way Go's time.Duration.String() does ("10s", "1m0s", "500ms"). */
export function formatGoDuration(ms: number): string {
  if (ms === 0) return '0s';
  if (ms < 1000) return `${ms}ms`;
  let rest = ms / 1000;
  const h = Math.floor(rest / 3600);
  rest -= h * 3600;
  const m = Math.floor(rest / 60);
  rest -= m * 60;
  const sec = Number(rest.toFixed(3)).toString();
  if (h > 0) return `${h}h${m}m${sec}s`;
  if (m > 0) return `${m}m${sec}s`;
  return `${sec}s`;
}
