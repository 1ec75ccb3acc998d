// Consul KV as a read-only tree; the keys the stack writes itself (the kong-migrations flag) are
// marked with who wrote them and when.
import type { KvNode } from '../../platform/consul-kv-tree.ts';
import type { DashboardState, KvView } from '../protocol.ts';
import { h, mount } from './dom.ts';

let selected: string | undefined;
const open = new Set<string>(['']);

interface Folder {
  readonly folders: Map<string, Folder>;
  readonly keys: KvNode[];
}

function treeOf(nodes: readonly KvNode[]): Folder {
  const root: Folder = { folders: new Map(), keys: [] };
  for (const n of nodes) {
    const parts = n.key.split('/');
    const leaf = parts.pop() ?? '';
    let at = root;
    for (const p of parts) {
      const next = at.folders.get(p) ?? { folders: new Map(), keys: [] };
      at.folders.set(p, next);
      at = next;
    }
    if (leaf !== '') at.keys.push(n);
  }
  return root;
}

type Written = KvView['written'][number];

function folderItem(name: string, sub: Folder, path: string, rerender: () => void): HTMLElement {
  const full = `${path}${name}/`;
  return h(
    'li',
    {},
    h(
      'button',
      {
        class: 'folder',
        onclick: () => {
          if (!open.delete(full)) open.add(full);
          rerender();
        },
      },
      `${open.has(full) ? '▾' : '▸'} ${name}/`,
    ),
    open.has(full) ? treeView(sub, full, rerender) : null,
  );
}

function keyItem(n: KvNode, path: string, rerender: () => void): HTMLElement {
  return h(
    'li',
    {},
    h(
      'button',
      {
        class: `key${selected === n.key ? ' selected' : ''}`,
        'data-key': n.key,
        onclick: () => {
          selected = n.key;
          rerender();
        },
      },
      n.key.slice(path.length),
    ),
  );
}

function treeView(folder: Folder, path: string, rerender: () => void): HTMLElement {
  return h(
    'ul',
    { class: 'tree' },
    ...[...folder.folders.entries()].map(([name, sub]) => folderItem(name, sub, path, rerender)),
    ...folder.keys.map((n) => keyItem(n, path, rerender)),
  );
}

function flagRow(w: Written, nodes: readonly KvNode[]): HTMLElement {
  const node = nodes.find((n) => n.key === w.key);
  return h(
    'div',
    { class: `flag ${node ? 'ok' : 'bad'}`, 'data-flag': w.key },
    h('b', {}, w.key),
    node ? ` = ${node.value ?? ''}` : ' is not set',
    h(
      'span',
      { class: 'dim' },
      ` written by ${w.by}${w.at ? ` after it finished at ${new Date(w.at).toLocaleString()}` : ''}${node ? ` (Consul index ${node.modifyIndex})` : ''}`,
    ),
  );
}

function valuePanel(chosen: KvNode | undefined): HTMLElement {
  return h(
    'section',
    { class: 'panel' },
    h('h2', {}, chosen ? chosen.key : 'select a key'),
    chosen ? h('pre', { class: 'value' }, chosen.value ?? '(no value)') : null,
    chosen
      ? h(
          'p',
          { class: 'dim' },
          `flags ${chosen.flags} · created at index ${chosen.createIndex} · modified at index ${chosen.modifyIndex}`,
        )
      : null,
  );
}

export function renderKv(el: HTMLElement, state: DashboardState, rerender: () => void): void {
  const section = state.kv;
  const nodes = section?.data?.nodes ?? [];
  const written = section?.data?.written ?? [];
  const chosen = nodes.find((n) => n.key === selected);
  mount(
    el,
    section?.error ? h('p', { class: 'error' }, `Consul KV: ${section.error}`) : null,
    h('section', { class: 'panel' }, h('h2', {}, 'Flags'), ...written.map((w) => flagRow(w, nodes))),
    h(
      'div',
      { class: 'columns kv' },
      h(
        'section',
        { class: 'panel' },
        h('h2', {}, `Keys (${nodes.length}), read-only`),
        treeView(treeOf(nodes), '', rerender),
      ),
      valuePanel(chosen),
    ),
  );
}
