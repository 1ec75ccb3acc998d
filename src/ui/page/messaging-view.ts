// Messaging: RabbitMQ's queues (depth, consumers, rates, a sparkline of the depth while the page is
// open), dead-letter queues flagged when they hold messages, the project's exchanges and bindings.
import type {
  BindingView,
  ExchangeView,
  MessagingView,
  QueueView,
} from '../../platform/rabbitmq-overview.ts';
import type { DashboardState } from '../protocol.ts';
import { h, mount, s } from './dom.ts';

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

function table(head: readonly string[], rows: readonly HTMLElement[]): HTMLElement {
  const thead = head.length ? h('thead', {}, h('tr', {}, ...head.map((c) => h('th', {}, c)))) : null;
  return h('table', { class: 'grid' }, thead, h('tbody', {}, ...rows));
}

const rate = (n: number) => (n === 0 ? '0' : n.toFixed(1));

function queueRow(q: QueueView, depths: readonly number[]): HTMLElement {
  const alert = q.deadLetter && q.messages > 0;
  return h(
    'tr',
    { 'data-queue': q.name, class: alert ? 'dlq-alert' : '' },
    h(
      'td',
      {},
      q.name,
      q.deadLetter ? h('span', { class: `badge ${alert ? 'bad' : 'dim'}` }, 'dead letters') : null,
    ),
    h('td', { class: 'dim' }, q.vhost),
    h('td', { class: 'num' }, q.messages),
    h('td', { class: 'num' }, q.consumers),
    h('td', { class: 'num' }, rate(q.publishRate)),
    h('td', { class: 'num' }, rate(q.deliverRate)),
    h('td', {}, sparkline(depths)),
  );
}

function panel(title: string, body: HTMLElement): HTMLElement {
  return h('section', { class: 'panel' }, h('h2', {}, title), body);
}

const QUEUE_COLUMNS = ['queue', 'vhost', 'depth', 'consumers', 'publish/s', 'deliver/s', 'depth over time'];

function queuesPanel(view: MessagingView, state: DashboardState): HTMLElement {
  return panel(
    `Queues (${view.queues.length})`,
    view.queues.length === 0
      ? h('p', { class: 'dim' }, 'no queues yet')
      : table(
          QUEUE_COLUMNS,
          view.queues.map((q) => queueRow(q, state.queueDepths?.[`${q.vhost}/${q.name}`] ?? [])),
        ),
  );
}

function exchangeRow(e: ExchangeView): HTMLElement {
  return h(
    'tr',
    {},
    h('td', {}, e.name),
    h('td', { class: 'dim' }, e.type),
    h('td', { class: 'dim' }, e.vhost),
  );
}

function bindingRow(b: BindingView): HTMLElement {
  return h(
    'tr',
    {},
    h('td', {}, b.source),
    h('td', {}, '→'),
    h('td', {}, `${b.destination} (${b.destinationType})`),
    h('td', { class: 'dim' }, b.routingKey),
  );
}

export function renderMessaging(el: HTMLElement, state: DashboardState): void {
  const section = state.messaging;
  const view = section?.data;
  mount(
    el,
    section?.error ? h('p', { class: 'error' }, `RabbitMQ: ${section.error}`) : null,
    !section ? h('p', { class: 'dim' }, 'reading RabbitMQ…') : null,
    view ? queuesPanel(view, state) : null,
    view
      ? h(
          'div',
          { class: 'columns' },
          panel(`Exchanges (${view.exchanges.length})`, table([], view.exchanges.map(exchangeRow))),
          panel(`Bindings (${view.bindings.length})`, table([], view.bindings.map(bindingRow))),
        )
      : null,
  );
}
