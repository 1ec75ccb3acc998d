// Messaging: RabbitMQ's queues (depth, consumers, rates, a sparkline of the depth while the page is
// open), dead-letter queues flagged when they hold messages, the project's exchanges and bindings.
import type { DashboardState } from '../protocol.ts';
import { h, mount, s } from './dom.ts';

const depths = new Map<string, number[]>();
const KEEP = 60;

function sparkline(values: readonly number[]): SVGElement {
  const w = 120;
  const hgt = 22;
  const max = Math.max(1, ...values);
  const pts = values
    .map((v, i) => `${(i / Math.max(1, KEEP - 1)) * w},${hgt - (v / max) * (hgt - 2) - 1}`)
    .join(' ');
  return s('svg', { width: w, height: hgt, class: 'spark' }, s('polyline', { points: pts }));
}

/** Records each queue's depth when a new reading arrives (every 5 s), for the sparklines. */
export function recordDepths(state: DashboardState): void {
  for (const q of state.messaging?.data?.queues ?? []) {
    const key = `${q.vhost}/${q.name}`;
    const list = depths.get(key) ?? [];
    list.push(q.messages);
    if (list.length > KEEP) list.shift();
    depths.set(key, list);
  }
}

export function renderMessaging(el: HTMLElement, state: DashboardState): void {
  const section = state.messaging;
  const view = section?.data;
  const rate = (n: number) => (n === 0 ? '0' : n.toFixed(1));
  mount(
    el,
    section?.error ? h('p', { class: 'error' }, `RabbitMQ: ${section.error}`) : null,
    !section ? h('p', { class: 'dim' }, 'reading RabbitMQ…') : null,
    view
      ? h(
          'section',
          { class: 'panel' },
          h('h2', {}, `Queues (${view.queues.length})`),
          view.queues.length === 0
            ? h('p', { class: 'dim' }, 'no queues yet')
            : h(
                'table',
                { class: 'grid' },
                h(
                  'thead',
                  {},
                  h(
                    'tr',
                    {},
                    ...[
                      'queue',
                      'vhost',
                      'depth',
                      'consumers',
                      'publish/s',
                      'deliver/s',
                      'depth over time',
                    ].map((c) => h('th', {}, c)),
                  ),
                ),
                h(
                  'tbody',
                  {},
                  ...view.queues.map((q) =>
                    h(
                      'tr',
                      { 'data-queue': q.name, class: q.deadLetter && q.messages > 0 ? 'dlq-alert' : '' },
                      h(
                        'td',
                        {},
                        q.name,
                        q.deadLetter
                          ? h('span', { class: `badge ${q.messages > 0 ? 'bad' : 'dim'}` }, 'dead letters')
                          : null,
                      ),
                      h('td', { class: 'dim' }, q.vhost),
                      h('td', { class: 'num' }, q.messages),
                      h('td', { class: 'num' }, q.consumers),
                      h('td', { class: 'num' }, rate(q.publishRate)),
                      h('td', { class: 'num' }, rate(q.deliverRate)),
                      h('td', {}, sparkline(depths.get(`${q.vhost}/${q.name}`) ?? [])),
                    ),
                  ),
                ),
              ),
        )
      : null,
    view
      ? h(
          'div',
          { class: 'columns' },
          h(
            'section',
            { class: 'panel' },
            h('h2', {}, `Exchanges (${view.exchanges.length})`),
            h(
              'table',
              { class: 'grid' },
              h(
                'tbody',
                {},
                ...view.exchanges.map((e) =>
                  h(
                    'tr',
                    {},
                    h('td', {}, e.name),
                    h('td', { class: 'dim' }, e.type),
                    h('td', { class: 'dim' }, e.vhost),
                  ),
                ),
              ),
            ),
          ),
          h(
            'section',
            { class: 'panel' },
            h('h2', {}, `Bindings (${view.bindings.length})`),
            h(
              'table',
              { class: 'grid' },
              h(
                'tbody',
                {},
                ...view.bindings.map((b) =>
                  h(
                    'tr',
                    {},
                    h('td', {}, b.source),
                    h('td', {}, '→'),
                    h('td', {}, `${b.destination} (${b.destinationType})`),
                    h('td', { class: 'dim' }, b.routingKey),
                  ),
                ),
              ),
            ),
          ),
        )
      : null,
  );
}
