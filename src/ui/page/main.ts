// The dashboard page: one event stream from the server (the whole state first, then changes and log
// lines), tabs for each view, and only the visible view re-rendered on a change.
import type { DashboardState, LogEntry } from '../protocol.ts';
import './style.css';
import 'uplot/dist/uPlot.min.css';
import { eventStream } from './api.ts';
import { h, mount } from './dom.ts';
import { renderKv } from './kv-view.ts';
import { LogsView } from './logs-view.ts';
import { renderMessaging } from './messaging-view.ts';
import { renderMetrics } from './metrics-view.ts';
import { renderRouteMap } from './route-map-view.ts';
import { renderServices } from './services-view.ts';
import { TracesView } from './traces-view.ts';

type Tab = 'services' | 'routes' | 'traces' | 'messaging' | 'kv' | 'logs' | 'metrics';
const TABS: readonly [Tab, string][] = [
  ['services', 'Services'],
  ['routes', 'Route map'],
  ['traces', 'Traces'],
  ['messaging', 'Messaging'],
  ['kv', 'Consul KV'],
  ['logs', 'Logs'],
  ['metrics', 'Metrics'],
];
/** Which parts of the state each tab draws, so a change elsewhere does not redraw it. */
const NEEDS: Record<Tab, readonly (keyof DashboardState)[]> = {
  services: ['services', 'endpoints', 'lastUp'],
  routes: ['routes'],
  traces: [],
  messaging: ['messaging'],
  kv: ['kv'],
  logs: [],
  metrics: ['metrics'],
};

let state: DashboardState = { project: '', host: '127.0.0.1' };
let tab: Tab = (TABS.find(([t]) => `#${t}` === location.hash)?.[0] ?? 'services') as Tab;
const logs = new LogsView();
const traces = new TracesView({
  openLogs: (service, atMs, traceId) => {
    select('logs');
    logs.focus(service, atMs, traceId);
  },
});
const view = h('main', { class: 'view' });
const summary = h('span', { class: 'summary' });
const connection = h('span', { class: 'connection', 'data-connection': 'connecting' }, 'connecting');
const toasts = h('div', { class: 'toasts' });
const nav = h('nav', { class: 'tabs' });
const projectLabel = h('span', { class: 'project', 'data-project': '' });

function toast(message: string, ok: boolean): void {
  const el = h('div', { class: `toast ${ok ? 'ok' : 'bad'}`, 'data-toast': ok ? 'ok' : 'failed' }, message);
  toasts.append(el);
  setTimeout(() => el.remove(), 6000);
}

function select(next: Tab): void {
  tab = next;
  history.replaceState(null, '', `${location.search}#${next}`);
  render();
}

function render(): void {
  mount(
    nav,
    ...TABS.map(([t, label]) =>
      h('button', { class: t === tab ? 'active' : '', 'data-tab': t, onclick: () => select(t) }, label),
    ),
  );
  const services = state.services?.data ?? [];
  const ready = services.filter((s) => s.ready !== false).length;
  summary.textContent = services.length ? `${ready}/${services.length} ready` : '';
  summary.className = `summary ${ready === services.length ? 'ok' : 'bad'}`;
  view.dataset.tab = tab;
  const again = () => render();
  if (tab !== 'traces') traces.hide();
  if (tab === 'services')
    renderServices(view, state, {
      toast,
      openLogs: (service) => {
        logs.filter({ service });
        select('logs');
      },
    });
  else if (tab === 'routes')
    renderRouteMap(view, state, again, (traceId) => {
      select('traces');
      traces.open(traceId);
    });
  else if (tab === 'traces') {
    if (view.firstChild !== traces.el) {
      mount(view, traces.el);
      traces.show();
    }
  } else if (tab === 'messaging') renderMessaging(view, state);
  else if (tab === 'kv') renderKv(view, state, again);
  else if (tab === 'metrics') renderMetrics(view, state);
  else if (view.firstChild !== logs.el) {
    mount(view, logs.el);
    logs.refresh();
  }
  if (state.services?.data) document.body.dataset.rendered = 'true';
}

function connect(): void {
  const events = eventStream();
  events.addEventListener('open', () => {
    connection.dataset.connection = 'live';
    connection.textContent = 'live';
  });
  events.addEventListener('error', () => {
    connection.dataset.connection = 'lost';
    connection.textContent = 'reconnecting…';
  });
  events.addEventListener('state', (e) => {
    const patch = JSON.parse((e as MessageEvent<string>).data) as Partial<DashboardState>;
    state = { ...state, ...patch };
    if (patch.project) {
      document.title = `${patch.project} · mkdev`;
      projectLabel.textContent = patch.project;
    }
    const keys = Object.keys(patch) as (keyof DashboardState)[];
    if (patch.project || keys.some((k) => NEEDS[tab].includes(k)) || patch.services) render();
  });
  // Each connection starts with the server's whole buffer: after a reconnection it replaces the lines.
  let fresh = true;
  events.addEventListener('open', () => {
    fresh = true;
  });
  events.addEventListener('logs', (e) => {
    if (fresh) logs.reset();
    fresh = false;
    logs.add(JSON.parse((e as MessageEvent<string>).data) as LogEntry[]);
  });
}

document
  .getElementById('app')
  ?.append(
    h('header', {}, h('span', { class: 'brand' }, 'mkdev'), projectLabel, summary, nav, connection),
    view,
    toasts,
  );
render();
connect();
window.addEventListener('resize', () => logs.refresh());
