// The route map: Kong route -> Kong service -> Consul service -> instances, laid out by dagre and drawn
// in SVG. A link that would fail is drawn failing; "try it" sends a request through Kong's proxy and
// marks the hop its answer blames (the `mkdev routes --check` verdicts).
import dagre from '@dagrejs/dagre';
import type { RouteHop, RouteInstance } from '../../platform/route-map.ts';
import { type BlamedHop, blamedHop } from '../../platform/route-verdict.ts';
import type { DashboardState, TryResult } from '../protocol.ts';
import { tryRoute } from './api.ts';
import { h, mount, s } from './dom.ts';

interface Node {
  readonly id: string;
  readonly kind: 'route' | 'kong' | 'consul' | 'instance' | 'upstream';
  readonly title: string;
  readonly lines: readonly string[];
  readonly ok: boolean;
  readonly status?: string;
}
interface Edge {
  readonly from: string;
  readonly to: string;
  readonly ok: boolean;
}

const tried = new Map<string, TryResult>();

interface Graph {
  readonly nodes: Map<string, Node>;
  readonly edges: Edge[];
}

function instanceNode(consulService: string, i: RouteInstance, blamed: BlamedHop): Node {
  // The failing check says why; else the service's own check (Consul lists the node's first).
  const checks = i.checks ?? [];
  const output = checks.find((c) => c.status !== 'passing')?.output ?? checks.at(-1)?.output ?? '';
  return {
    id: `instance:${consulService}/${i.address}:${i.port}`,
    kind: 'instance',
    title: `${i.address}:${i.port}`,
    lines: [i.status, output.slice(0, 38)],
    ok: i.status === 'passing' && blamed !== 'service',
    status: i.status,
  };
}

/** The Consul service behind a Kong service, and its instances. */
function addConsul(g: Graph, hop: RouteHop, consulService: string, kongId: string, blamed: BlamedHop): void {
  const passing = hop.instances.filter((i) => i.status === 'passing').length;
  const consulId = `consul:${consulService}`;
  const consulOk = passing > 0 && blamed !== 'discovery';
  g.nodes.set(consulId, {
    id: consulId,
    kind: 'consul',
    title: `${consulService}.service.consul`,
    lines: [`${passing}/${hop.instances.length} passing`],
    ok: consulOk,
  });
  g.edges.push({ from: kongId, to: consulId, ok: consulOk });
  for (const i of hop.instances) {
    const node = instanceNode(consulService, i, blamed);
    g.nodes.set(node.id, node);
    g.edges.push({ from: consulId, to: node.id, ok: node.ok });
  }
}

/** An upstream Kong reaches directly, not through Consul. */
function addUpstream(g: Graph, hop: RouteHop, kongId: string, blamed: BlamedHop): void {
  const upId = `upstream:${hop.upstream}`;
  const ok = blamed !== 'service';
  g.nodes.set(upId, { id: upId, kind: 'upstream', title: hop.upstream, lines: ['not in Consul'], ok });
  g.edges.push({ from: kongId, to: upId, ok });
}

function addHop(g: Graph, hop: RouteHop): void {
  const verdict = tried.get(hop.route)?.check?.verdict;
  const blamed = verdict === undefined ? 'none' : blamedHop(verdict);
  const routeId = `route:${hop.route}`;
  g.nodes.set(routeId, {
    id: routeId,
    kind: 'route',
    title: hop.route,
    lines: [
      hop.paths.join(' ') || '(any path)',
      [...(hop.methods ?? []), ...(hop.hosts ?? [])].join(' '),
    ].filter((l) => l !== ''),
    ok: hop.service !== '-' && blamed !== 'route',
  });
  if (hop.service === '-') return;
  const kongId = `kong:${hop.service}`;
  g.nodes.set(kongId, { id: kongId, kind: 'kong', title: hop.service, lines: [hop.upstream], ok: true });
  g.edges.push({ from: routeId, to: kongId, ok: blamed !== 'route' });
  if (hop.consulService) addConsul(g, hop, hop.consulService, kongId, blamed);
  else addUpstream(g, hop, kongId, blamed);
}

function graphOf(hops: readonly RouteHop[]): Graph {
  const g: Graph = { nodes: new Map(), edges: [] };
  for (const hop of hops) addHop(g, hop);
  return g;
}

const W = 230;
const H = 72;

type Layout = InstanceType<typeof dagre.graphlib.Graph>;

function edgePath(e: Edge, g: Layout): SVGElement {
  const pts = (g.edge(e.from, e.to) as { points?: { x: number; y: number }[] } | undefined)?.points ?? [];
  const d = pts.map((p, i) => `${i === 0 ? 'M' : 'L'}${p.x},${p.y}`).join(' ');
  return s('path', {
    d,
    class: `edge ${e.ok ? 'ok' : 'bad'}`,
    'data-edge': `${e.from}>${e.to}`,
    'data-ok': String(e.ok),
    'marker-end': `url(#arrow-${e.ok ? 'ok' : 'bad'})`,
  });
}

/** A node's box, centred where the layout put it. */
function nodeBox(n: Node, p: { x: number; y: number } | undefined): SVGElement {
  const x = (p?.x ?? 0) - W / 2;
  const y = (p?.y ?? 0) - H / 2;
  return s(
    'g',
    {
      class: `node ${n.kind} ${n.ok ? 'ok' : 'bad'}`,
      'data-node': n.id,
      'data-ok': String(n.ok),
      'data-status': n.status,
      transform: `translate(${x},${y})`,
    },
    s('rect', { width: W, height: H, rx: 6 }),
    s('text', { x: 10, y: 17, class: 'kind' }, n.kind === 'kong' ? 'KONG SERVICE' : n.kind.toUpperCase()),
    s('text', { x: 10, y: 33, class: 'title' }, n.title.length > 30 ? `${n.title.slice(0, 29)}…` : n.title),
    ...n.lines
      .slice(0, 2)
      .map((l, i) =>
        s('text', { x: 10, y: 49 + i * 15, class: 'line' }, l.length > 32 ? `${l.slice(0, 31)}…` : l),
      ),
    s('title', {}, [n.title, ...n.lines].join('\n')),
  );
}

function draw(hops: readonly RouteHop[]): SVGElement {
  const { nodes, edges } = graphOf(hops);
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: 'LR', nodesep: 14, ranksep: 70, marginx: 10, marginy: 10 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of nodes.values()) g.setNode(n.id, { width: W, height: H });
  for (const e of edges) g.setEdge(e.from, e.to);
  dagre.layout(g);
  const size = g.graph();
  const paths = edges.map((e) => edgePath(e, g));
  const boxes = [...nodes.values()].map((n) => nodeBox(n, g.node(n.id)));
  const marker = (id: string) =>
    s(
      'marker',
      { id, viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto' },
      s('path', { d: 'M0,0 L10,5 L0,10 z', class: id }),
    );
  return s(
    'svg',
    { class: 'route-graph', width: (size.width ?? 0) + 20, height: (size.height ?? 0) + 20 },
    s('defs', {}, marker('arrow-ok'), marker('arrow-bad')),
    ...paths,
    ...boxes,
  );
}

export function renderRouteMap(
  el: HTMLElement,
  state: DashboardState,
  rerender: () => void,
  openTrace: (traceId: string) => void,
): void {
  const section = state.routes;
  const hops = section?.data ?? [];
  const tries = h(
    'div',
    { class: 'tries' },
    ...hops.map((hop) => {
      const result = tried.get(hop.route);
      return h(
        'div',
        { class: 'try', 'data-try': hop.route },
        h(
          'button',
          {
            'data-action': 'try',
            onclick: async () => {
              tried.set(hop.route, await tryRoute(hop.route));
              rerender();
            },
          },
          `try ${hop.paths[0] ?? hop.route}`,
        ),
        result
          ? h(
              'span',
              { class: result.ok ? 'ok' : 'bad', 'data-result': result.ok ? 'ok' : 'failed' },
              result.message,
            )
          : null,
        result?.traceId
          ? h(
              'button',
              { 'data-action': 'open-trace', onclick: () => openTrace(result.traceId as string) },
              'its trace →',
            )
          : null,
      );
    }),
  );
  mount(
    el,
    section?.error ? h('p', { class: 'error' }, `route map: ${section.error}`) : null,
    hops.length === 0 && !section?.error
      ? h(
          'p',
          { class: 'dim' },
          section
            ? "no routes on Kong yet: services register theirs when they start ('mkdev new-service <name>')"
            : 'reading Kong and Consul…',
        )
      : null,
    hops.length > 0
      ? h('section', { class: 'panel' }, tries, h('div', { class: 'graph-wrap' }, draw(hops)))
      : null,
    hops.length > 0 ? checksTable(hops) : null,
  );
}

/** Every Consul check behind the routes, with its last output: why an instance is failing. */
function checksTable(hops: readonly RouteHop[]): HTMLElement {
  const rows = hops.flatMap((hop) =>
    hop.instances.flatMap((i) =>
      (i.checks ?? []).map((c) =>
        h(
          'tr',
          {},
          h('td', {}, hop.route),
          h('td', { class: 'mono' }, `${i.address}:${i.port}`),
          h('td', {}, c.name),
          h('td', { class: c.status === 'passing' ? 'ok' : 'bad' }, c.status),
          h('td', { class: 'mono dim' }, c.output),
        ),
      ),
    ),
  );
  const head = ['route', 'instance', 'check', 'status', 'output'].map((c) => h('th', {}, c));
  return h(
    'section',
    { class: 'panel' },
    h('h2', {}, 'Consul checks'),
    h('table', { class: 'grid' }, h('thead', {}, h('tr', {}, ...head)), h('tbody', {}, ...rows)),
  );
}
