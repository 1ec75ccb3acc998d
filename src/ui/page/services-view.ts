// Services: state, readiness, health history, restarts, ports, image, drift and actions per replica;
// the endpoints (secrets masked until "show"); the last up's timeline (timeline-view.ts).
import type { DashboardState, EndpointView, ServiceView } from '../protocol.ts';
import { revealSecrets, serviceAction } from './api.ts';
import { h, mount, serviceColour } from './dom.ts';
import { timelinePanel } from './timeline-view.ts';

export interface ServicesHooks {
  readonly openLogs: (service: string) => void;
  readonly toast: (message: string, ok: boolean) => void;
}

function readyBadge(v: ServiceView): HTMLElement {
  if (v.oneShot && v.state === 'completed') return h('span', { class: 'badge ok' }, 'completed');
  if (v.ready === true) return h('span', { class: 'badge ok' }, 'ready');
  if (v.ready === null) return h('span', { class: 'badge dim' }, 'no probe');
  return h(
    'span',
    { class: 'badge bad', title: v.reason ?? '' },
    v.state === 'running' ? 'not ready' : 'failing',
  );
}

function history(v: ServiceView): HTMLElement {
  return h(
    'span',
    { class: 'history', title: 'readiness, last 2 minutes' },
    ...v.history.map((x) =>
      h('i', {
        class: x.ready === true ? 'ok' : x.ready === null ? 'dim' : 'bad',
        title: new Date(x.at).toLocaleTimeString(),
      }),
    ),
  );
}

function ports(v: ServiceView, host: string): HTMLElement {
  return h(
    'span',
    { class: 'ports' },
    ...Object.entries(v.ports).map(([inner, outer]) =>
      inner.endsWith('/tcp')
        ? h(
            'a',
            { href: `http://${host}:${outer}/`, target: '_blank', rel: 'noreferrer' },
            `${outer}→${inner.replace('/tcp', '')}`,
          )
        : h('span', {}, `${outer}→${inner}`),
    ),
  );
}

function actions(v: ServiceView, hooks: ServicesHooks): HTMLElement {
  const button = (action: string, label: string) =>
    h(
      'button',
      {
        'data-action': action,
        'data-service': v.service,
        onclick: async (e: Event) => {
          const el = e.currentTarget as HTMLButtonElement;
          el.disabled = true;
          el.classList.add('busy');
          const result = await serviceAction(v.service, action).catch((err: Error) => ({
            ok: false,
            message: err.message,
          }));
          el.disabled = false;
          el.classList.remove('busy');
          hooks.toast(result.message, result.ok);
        },
      },
      label,
    );
  return h(
    'span',
    { class: 'actions' },
    !v.oneShot && button('restart', 'restart'),
    v.built && button('rebuild', 'rebuild'),
    !v.oneShot && v.state === 'running' && button('stop', 'stop'),
    h(
      'button',
      { onclick: () => hooks.openLogs(v.service), 'data-action': 'logs', 'data-service': v.service },
      'logs',
    ),
  );
}

function imageCell(v: ServiceView): HTMLElement {
  return h(
    'td',
    {
      class: 'image',
      title: v.localImage === v.image ? v.image : `${v.image} runs as ${v.localImage}`,
    },
    v.image,
    v.localImage === v.image ? null : h('div', { class: 'dim' }, `→ ${v.localImage}`),
  );
}

function configCell(v: ServiceView): HTMLElement {
  return h(
    'td',
    {},
    v.state === 'missing'
      ? '-'
      : v.upToDate
        ? h('span', { class: 'dim' }, 'up to date')
        : h('span', { class: 'warn' }, 'changed: run mkdev up'),
  );
}

/** One replica's row; `label` names the replica when its service runs more than one. */
function serviceRow(v: ServiceView, label: string, host: string, hooks: ServicesHooks): HTMLElement {
  return h(
    'tr',
    { 'data-service': label, 'data-state': v.state, 'data-ready': String(v.ready) },
    h('td', {}, h('i', { class: 'dot', style: `background:${serviceColour(v.service)}` }), label),
    h('td', { class: `state ${v.state}` }, v.state),
    h(
      'td',
      {},
      readyBadge(v),
      v.reason && v.ready === false ? h('div', { class: 'reason' }, v.reason) : null,
    ),
    h('td', {}, history(v)),
    h('td', { class: 'num' }, v.restarts),
    h('td', {}, ports(v, host)),
    imageCell(v),
    configCell(v),
    h('td', {}, actions(v, hooks)),
  );
}

const COLUMNS = ['service', 'state', 'ready', 'health', 'restarts', 'ports', 'image', 'config', ''];

function serviceRows(state: DashboardState, hooks: ServicesHooks): HTMLElement {
  const list = state.services?.data ?? [];
  const multi = new Set(list.filter((v) => v.replica > 1).map((v) => v.service));
  const label = (v: ServiceView) => (multi.has(v.service) ? `${v.service}-${v.replica}` : v.service);
  return h(
    'table',
    { class: 'grid services' },
    h('thead', {}, h('tr', {}, ...COLUMNS.map((c) => h('th', {}, c)))),
    h('tbody', {}, ...list.map((v) => serviceRow(v, label(v), state.host, hooks))),
  );
}

/** Secrets the user asked to see, kept across re-renders until the page is closed. */
let revealed: readonly EndpointView[] | undefined;

function endpointsPanel(endpoints: readonly EndpointView[]): HTMLElement {
  const body = h('tbody', {});
  const fill = (list: readonly EndpointView[]) =>
    mount(
      body,
      ...list.map((e) =>
        h('tr', {}, h('td', {}, e.service), h('td', {}, e.name), h('td', { class: 'mono' }, e.value)),
      ),
    );
  fill(revealed ?? endpoints);
  const show = revealed
    ? null
    : h(
        'button',
        {
          'data-action': 'show-secrets',
          onclick: async () => {
            revealed = await revealSecrets();
            fill(revealed);
            show?.remove();
          },
        },
        'show secrets',
      );
  return h(
    'section',
    { class: 'panel' },
    h('h2', {}, 'Endpoints ', show),
    h('table', { class: 'grid' }, body),
  );
}

export function renderServices(el: HTMLElement, state: DashboardState, hooks: ServicesHooks): void {
  const error = state.services?.error;
  mount(
    el,
    error ? h('p', { class: 'error' }, error) : null,
    h('section', { class: 'panel' }, serviceRows(state, hooks)),
    h('div', { class: 'columns' }, timelinePanel(state), endpointsPanel(state.endpoints ?? [])),
  );
}
