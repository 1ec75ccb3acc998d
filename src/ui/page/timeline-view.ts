// The last up's timeline: per service a bar for its image, its start and its wait until ready,
// ordered by when each became ready, with the critical path marked.
import type { DashboardState } from '../protocol.ts';
import { h, s, seconds } from './dom.ts';

type LastUp = NonNullable<DashboardState['lastUp']>;
type Timing = LastUp['timeline'][string];
type Bar = (
  from: number | undefined,
  to: number | undefined,
  cls: string,
  title: string,
) => SVGElement | null;

/** A bar drawer scaled so that `end` ms fills the row. */
function barsScaledTo(end: number): Bar {
  const x = (ms: number | undefined) => ((ms ?? 0) / end) * 100;
  return (from, to, cls, title) =>
    from === undefined || to === undefined
      ? null
      : s(
          'rect',
          { x: `${x(from)}%`, width: `${Math.max(0.3, x(to) - x(from))}%`, y: 3, height: 12, class: cls },
          s('title', {}, `${title}: ${seconds(to - from)}`),
        );
}

function timelineHeading(last: LastUp): HTMLElement {
  return h(
    'h2',
    {},
    `Last up: ${seconds(last.totalMs)} `,
    h('span', { class: 'dim' }, new Date(last.finishedAt).toLocaleString()),
    h(
      'span',
      { class: 'legend' },
      h('i', { class: 'image' }),
      'image ',
      h('i', { class: 'start' }),
      'start ',
      h('i', { class: 'probe' }),
      'until ready ',
      h('i', { class: 'crit' }),
      'critical path',
    ),
  );
}

function timelineRow(name: string, t: Timing, critical: boolean, bar: Bar): HTMLElement {
  return h(
    'div',
    { class: `tl-row${critical ? ' critical' : ''}`, 'data-timeline': name },
    h('span', { class: 'tl-name' }, name),
    h(
      'span',
      { class: 'tl-bars' },
      s(
        'svg',
        { width: '100%', height: 18 },
        bar(t.imageStart, t.imageEnd, 'image', 'image'),
        bar(t.startAt, t.startedAt, 'start', 'starting'),
        bar(t.startedAt, t.readyAt, 'probe', 'until ready'),
      ),
    ),
    h('span', { class: 'tl-at' }, seconds(t.readyAt)),
  );
}

export function timelinePanel(state: DashboardState): HTMLElement {
  const last = state.lastUp;
  if (!last)
    return h(
      'section',
      { class: 'panel' },
      h('h2', {}, 'Last up'),
      h('p', { class: 'dim' }, "no 'mkdev up' recorded for this project yet"),
    );
  const rows = Object.entries(last.timeline).sort((a, b) => (a[1].readyAt ?? 0) - (b[1].readyAt ?? 0));
  const end = Math.max(1, ...rows.map(([, t]) => t.readyAt ?? t.startedAt ?? 0));
  const bar = barsScaledTo(end);
  const critical = new Set(last.criticalPath);
  return h(
    'section',
    { class: 'panel' },
    timelineHeading(last),
    h(
      'div',
      { class: 'timeline' },
      ...rows.map(([name, t]) => timelineRow(name, t, critical.has(name), bar)),
    ),
  );
}
