// One trace as `mkdev traces` prints it: a header line (when, method, route, status, duration, the
// services it went through) and its spans as a tree, each with its service, when it started after the
// trace's start and how long it took; spans with status ERROR say so, with their exception's message.
import type { TraceDetail, TraceSpan } from '../platform/traces.ts';
import { style } from './style.ts';

const ms = (n: number) => (n >= 1000 ? `${(n / 1000).toFixed(2)} s` : `${n.toFixed(1)} ms`);

function clock(epochMs: number): string {
  const d = new Date(epochMs);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}

function errorOf(span: TraceSpan): string | undefined {
  if (span.status.code !== 2) return undefined;
  const exception = span.events.find((e) => e.name === 'exception')?.attributes['exception.message'];
  const status = span.attributes['http.status_code'] ?? span.attributes['http.response.status_code'];
  return [span.status.message, typeof exception === 'string' ? exception : '', status ? `HTTP ${status}` : '']
    .filter(Boolean)
    .join('; ');
}

/** Children by parent, each list in start order; spans whose parent is not in the trace are roots. */
function tree(spans: readonly TraceSpan[]): { roots: TraceSpan[]; children: Map<string, TraceSpan[]> } {
  const ids = new Set(spans.map((s) => s.spanId));
  const children = new Map<string, TraceSpan[]>();
  const roots: TraceSpan[] = [];
  for (const span of [...spans].sort((a, b) => a.startMs - b.startMs)) {
    if (span.parentSpanId !== '' && ids.has(span.parentSpanId)) {
      const list = children.get(span.parentSpanId) ?? [];
      list.push(span);
      children.set(span.parentSpanId, list);
    } else roots.push(span);
  }
  return { roots, children };
}

export function renderTrace(trace: TraceDetail, colour?: boolean): string {
  const s = trace.summary;
  const paint = (name: Parameters<typeof style>[0], text: string) => style(name, text, colour);
  const status = s.status ? String(s.status) : '-';
  const header = [
    paint('dim', clock(s.startMs)),
    paint('bold', `${s.method || s.name} ${s.route}`.trim()),
    s.error ? paint('red', `${status} ERROR`) : paint('green', status),
    ms(s.durationMs),
    s.services.join(' -> '),
    paint('dim', `trace ${s.traceId}`),
  ].join('  ');
  const lines = [header];
  const { roots, children } = tree(trace.spans);
  const start = s.startMs;
  const walk = (span: TraceSpan, prefix: string, last: boolean, top: boolean) => {
    const branch = top ? '' : last ? '└─ ' : '├─ ';
    const error = errorOf(span);
    const line = `${prefix}${branch}${paint('cyan', span.service)} ${span.name}  ${ms(span.endMs - span.startMs)}  ${paint('dim', `+${ms(span.startMs - start)}`)}`;
    lines.push(error === undefined ? line : `${line}  ${paint('red', `ERROR${error ? `: ${error}` : ''}`)}`);
    const kids = children.get(span.spanId) ?? [];
    const next = top ? prefix : `${prefix}${last ? '   ' : '│  '}`;
    for (const [i, kid] of kids.entries()) walk(kid, next, i === kids.length - 1, false);
  };
  for (const root of roots) walk(root, '  ', true, true);
  return lines.join('\n');
}
