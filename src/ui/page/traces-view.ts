// Traces: the recent requests the stack's trace receiver holds (route, status, duration, the services
// each went through; errors marked), refreshed while the tab is shown; a waterfall of the chosen trace,
// each span a bar on the trace's time line, under its parent; and a span's details, with a link to
// that service's logs at that time.
import type { TraceDetail, TraceSpan, TraceSummary } from '../../platform/traces.ts';
import { getTrace, listTraces } from './api.ts';
import { h, mount, serviceColour } from './dom.ts';

const REFRESH_MS = 1500;

export interface TracesNavigation {
  /** The logs of `service` around `atMs`, lines of trace `traceId` marked. */
  openLogs(service: string, atMs: number, traceId: string): void;
}

const ms = (n: number) => (n >= 1000 ? `${(n / 1000).toFixed(2)} s` : `${n.toFixed(n < 10 ? 2 : 1)} ms`);
const clock = (t: number) =>
  `${new Date(t).toLocaleTimeString([], { hour12: false })}.${String(Math.floor(t % 1000)).padStart(3, '0')}`;

function spanError(span: TraceSpan): string | undefined {
  if (span.status.code !== 2) return undefined;
  const exception = span.events.find((e) => e.name === 'exception')?.attributes['exception.message'];
  return (
    [span.status.message, typeof exception === 'string' ? exception : ''].filter(Boolean).join('; ') ||
    'error'
  );
}

/** Spans in tree order (depth first, children by start), with their depth. */
function ordered(spans: readonly TraceSpan[]): { span: TraceSpan; depth: number }[] {
  const ids = new Set(spans.map((s) => s.spanId));
  const byParent = new Map<string, TraceSpan[]>();
  const roots: TraceSpan[] = [];
  for (const s of [...spans].sort((a, b) => a.startMs - b.startMs)) {
    if (s.parentSpanId && ids.has(s.parentSpanId))
      byParent.set(s.parentSpanId, [...(byParent.get(s.parentSpanId) ?? []), s]);
    else roots.push(s);
  }
  const out: { span: TraceSpan; depth: number }[] = [];
  const walk = (s: TraceSpan, depth: number) => {
    out.push({ span: s, depth });
    for (const child of byParent.get(s.spanId) ?? []) walk(child, depth + 1);
  };
  for (const r of roots) walk(r, 0);
  return out;
}

/** Where a bar's duration goes: after the bar, else before it, else inside it (a bar across the track). */
function timeLabel(left: number, width: number): { class: string; style: string } {
  if (left + width <= 85) return { class: 'span-time', style: `left:${(left + width).toFixed(3)}%` };
  if (left >= 15) return { class: 'span-time before', style: `right:${(100 - left).toFixed(3)}%` };
  return { class: 'span-time inside', style: `right:${(100 - left - width).toFixed(3)}%` };
}

export class TracesView {
  readonly el: HTMLElement;
  readonly #nav: TracesNavigation;
  readonly #list = h('div', { class: 'trace-list', 'data-traces': '' });
  readonly #detail = h('div', { class: 'trace-detail', 'data-trace-detail': '' });
  readonly #status = h('span', { class: 'dim' });
  readonly #route = h('input', {
    type: 'search',
    placeholder: 'route, e.g. /orders',
    'data-filter': 'route',
  }) as HTMLInputElement;
  readonly #service = h('select', { 'data-filter': 'trace-service' }) as HTMLSelectElement;
  readonly #errors = h('input', { type: 'checkbox', 'data-filter': 'errors' }) as HTMLInputElement;
  #traces: TraceSummary[] = [];
  #selected: string | undefined;
  #detailOf: TraceDetail | undefined;
  #span: string | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #visible = false;
  readonly #services = new Set<string>();

  constructor(nav: TracesNavigation) {
    this.#nav = nav;
    const again = () => void this.#refresh();
    this.#route.addEventListener('input', again);
    this.#service.addEventListener('change', again);
    this.#errors.addEventListener('change', again);
    this.#fillServices();
    this.el = h(
      'div',
      { class: 'traces' },
      h(
        'div',
        { class: 'toolbar' },
        this.#route,
        this.#service,
        h('label', { class: 'dim' }, this.#errors, ' errors only'),
        this.#status,
      ),
      h('section', { class: 'panel trace-list-panel' }, this.#list),
      h('section', { class: 'panel' }, this.#detail),
    );
    this.#renderDetail();
  }

  show(): void {
    this.#visible = true;
    void this.#refresh();
  }

  hide(): void {
    this.#visible = false;
    clearTimeout(this.#timer);
  }

  /** Shows one trace (from "try it"): waits for its spans, which Kong and the services send in batches. */
  open(traceId: string): void {
    this.#selected = traceId;
    this.#detailOf = undefined;
    this.#span = undefined;
    this.#renderDetail();
    void this.#loadDetail(traceId);
  }

  async #refresh(): Promise<void> {
    clearTimeout(this.#timer);
    const params = new URLSearchParams({ limit: '50' });
    if (this.#route.value.trim()) params.set('route', this.#route.value.trim());
    if (this.#service.value) params.set('service', this.#service.value);
    if (this.#errors.checked) params.set('errors', 'true');
    try {
      const answer = await listTraces(params);
      this.#traces = answer.traces;
      this.#status.textContent = answer.error
        ? `trace receiver: ${answer.error}`
        : `${answer.traces.length} traces`;
      let fresh = false;
      for (const t of answer.traces)
        for (const s of t.services)
          if (!this.#services.has(s)) {
            this.#services.add(s);
            fresh = true;
          }
      if (fresh) this.#fillServices();
      this.#renderList();
      // The open trace may still be getting spans (services batch theirs): read it again.
      const open = this.#traces.find((t) => t.traceId === this.#selected);
      if (open && open.spanCount !== this.#detailOf?.spans.length) void this.#loadDetail(open.traceId);
    } catch (error) {
      this.#status.textContent = `trace receiver: ${(error as Error).message}`;
    }
    if (this.#visible) this.#timer = setTimeout(() => void this.#refresh(), REFRESH_MS);
  }

  async #loadDetail(traceId: string, tries = 20): Promise<void> {
    const detail = await getTrace(traceId).catch(() => undefined);
    if (this.#selected !== traceId) return;
    if (detail === undefined) {
      if (tries > 0) setTimeout(() => void this.#loadDetail(traceId, tries - 1), 500);
      else this.#renderDetail(`no trace ${traceId} in the receiver`);
      return;
    }
    this.#detailOf = detail;
    this.#renderDetail();
    this.#renderList();
  }

  #fillServices(): void {
    const value = this.#service.value;
    mount(
      this.#service,
      h('option', { value: '' }, 'all services'),
      ...[...this.#services].sort().map((s) => h('option', { value: s }, s)),
    );
    this.#service.value = value;
  }

  #renderList(): void {
    if (this.#traces.length === 0) {
      mount(
        this.#list,
        h(
          'p',
          { class: 'dim' },
          'no traces yet: send a request through Kong, or use "try it" on the route map',
        ),
      );
      return;
    }
    const head = ['time', 'request', 'status', 'duration', 'services', 'spans'].map((c) => h('th', {}, c));
    const rows = this.#traces.map((t) =>
      h(
        'tr',
        {
          class: `trace-row${t.error ? ' error' : ''}${t.traceId === this.#selected ? ' selected' : ''}`,
          'data-trace': t.traceId,
          'data-error': t.error ? 'true' : 'false',
          onclick: () => this.open(t.traceId),
        },
        h('td', { class: 'mono dim' }, clock(t.startMs)),
        h('td', { class: 'mono' }, `${t.method || t.name} ${t.route}`),
        h(
          'td',
          { class: t.error ? 'bad' : 'ok' },
          t.status ? String(t.status) : '-',
          t.error ? ' error' : '',
        ),
        h('td', { class: 'mono' }, ms(t.durationMs)),
        h(
          'td',
          {},
          ...t.services.map((s) =>
            h('span', { class: 'chip', style: `border-color:${serviceColour(s)}` }, s),
          ),
        ),
        h('td', { class: 'dim' }, String(t.spanCount)),
      ),
    );
    mount(
      this.#list,
      h('table', { class: 'grid' }, h('thead', {}, h('tr', {}, ...head)), h('tbody', {}, ...rows)),
    );
  }

  #renderDetail(message?: string): void {
    const d = this.#detailOf;
    if (!d) {
      mount(
        this.#detail,
        h(
          'p',
          { class: 'dim' },
          message ??
            (this.#selected ? `waiting for trace ${this.#selected}…` : 'choose a trace to see its spans'),
        ),
      );
      return;
    }
    const s = d.summary;
    const start = s.startMs;
    const total = Math.max(s.durationMs, 0.001);
    const rows = ordered(d.spans).map(({ span, depth }) => {
      const error = spanError(span);
      const left = ((span.startMs - start) / total) * 100;
      const width = Math.max(((span.endMs - span.startMs) / total) * 100, 0.4);
      return h(
        'div',
        {
          class: `span-row${error ? ' error' : ''}${span.spanId === this.#span ? ' selected' : ''}`,
          'data-span': span.name,
          'data-service': span.service,
          'data-error': error ? 'true' : 'false',
          onclick: () => {
            this.#span = span.spanId;
            this.#renderDetail();
          },
        },
        h(
          'div',
          { class: 'span-label', style: `padding-left:${depth * 14}px` },
          h('span', { class: 'chip', style: `border-color:${serviceColour(span.service)}` }, span.service),
          h('span', { class: 'span-name' }, span.name),
        ),
        h(
          'div',
          { class: 'span-track' },
          h('div', {
            class: 'span-bar',
            style: `left:${left.toFixed(3)}%;width:${Math.min(width, 100 - left).toFixed(3)}%;background:${error ? 'var(--bad)' : serviceColour(span.service)}`,
          }),
          h(
            'span',
            timeLabel(left, Math.min(width, 100 - left)),
            ms(span.endMs - span.startMs),
            error ? ` ✗ ${error}` : '',
          ),
        ),
      );
    });
    const chosen = d.spans.find((x) => x.spanId === this.#span);
    mount(
      this.#detail,
      h(
        'h2',
        {},
        `${s.method || s.name} ${s.route}`,
        h('span', { class: s.error ? 'bad' : 'ok' }, s.status ? String(s.status) : ''),
        h(
          'span',
          { class: 'dim mono' },
          `${ms(s.durationMs)} · ${s.services.join(' → ')} · trace ${s.traceId}`,
        ),
      ),
      h('div', { class: 'waterfall', 'data-waterfall': s.traceId }, ...rows),
      chosen ? this.#spanDetail(chosen, s.traceId) : null,
    );
  }

  #spanDetail(span: TraceSpan, traceId: string): HTMLElement {
    const attrs = Object.entries(span.attributes).map(([k, v]) =>
      h(
        'tr',
        {},
        h('td', { class: 'mono dim' }, k),
        h('td', { class: 'mono' }, typeof v === 'string' ? v : JSON.stringify(v)),
      ),
    );
    const events = span.events.map((e) =>
      h(
        'tr',
        {},
        h('td', { class: 'mono dim' }, `event ${e.name}`),
        h('td', { class: 'mono' }, JSON.stringify(e.attributes)),
      ),
    );
    return h(
      'div',
      { class: 'span-detail', 'data-span-detail': span.name },
      h(
        'div',
        { class: 'toolbar' },
        h('b', {}, `${span.service} · ${span.name}`),
        h('span', { class: 'dim' }, `${clock(span.startMs)} · ${ms(span.endMs - span.startMs)}`),
        h(
          'button',
          {
            'data-action': 'span-logs',
            onclick: () => this.#nav.openLogs(span.service, span.startMs, traceId),
          },
          `logs of ${span.service} at ${clock(span.startMs)}`,
        ),
      ),
      h('table', { class: 'grid' }, h('tbody', {}, ...attrs, ...events)),
    );
  }
}
