// Kong's request rate and p95 latency per route, from Prometheus, as small uPlot charts.
import uPlot from 'uplot';
import type { DashboardState } from '../protocol.ts';
import { h, mount } from './dom.ts';

let charts: uPlot[] = [];

function chart(
  title: string,
  points: readonly (readonly [number, number])[],
  unit: string,
  colour: string,
): HTMLElement {
  const el = h('div', { class: 'chart' }, h('div', { class: 'chart-title' }, title));
  const data: uPlot.AlignedData = [points.map((p) => p[0]), points.map((p) => p[1])];
  charts.push(
    new uPlot(
      {
        width: 420,
        height: 140,
        legend: { show: false },
        scales: { x: { time: true } },
        axes: [
          {
            stroke: '#8a93a6',
            grid: { stroke: '#2a3140' },
            // One line of hh:mm: uPlot's default adds a second line of dates that crowds a small chart.
            values: (_u, v) => v.map((t) => new Date(t * 1000).toTimeString().slice(0, 5)),
          },
          {
            stroke: '#8a93a6',
            grid: { stroke: '#2a3140' },
            size: 64,
            values: (_u, v) => v.map((x) => `${+x.toFixed(2)}${unit}`),
          },
        ],
        series: [{}, { stroke: colour, width: 2, fill: `${colour}22` }],
      },
      data,
      el,
    ),
  );
  return el;
}

export function renderMetrics(el: HTMLElement, state: DashboardState): void {
  for (const c of charts) c.destroy();
  charts = [];
  const section = state.metrics;
  const routes = section?.data ?? [];
  mount(
    el,
    section?.error ? h('p', { class: 'error' }, `Prometheus: ${section.error}`) : null,
    !section ? h('p', { class: 'dim' }, 'querying Prometheus…') : null,
    section?.data && routes.length === 0
      ? h('p', { class: 'dim' }, 'no requests through Kong in the last 15 minutes')
      : null,
    ...routes.map((r) =>
      h(
        'section',
        { class: 'panel', 'data-metrics': r.route },
        h('h2', {}, r.route),
        h(
          'div',
          { class: 'charts' },
          chart('requests / s', r.rate, '', '#5fb3f9'),
          chart('p95 latency', r.latencyP95, ' ms', '#f2b84b'),
        ),
      ),
    ),
  );
}
