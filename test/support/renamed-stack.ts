// The default stack with every platform service renamed, as a user's mkdev.yaml (`extends: none`):
// the service keys, every reference to them (depends_on, requires, actions) and the host names the
// stack's own scripts and settings use. Nothing else changes: images, roles, exports keep theirs.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isMap, isScalar, isSeq, parseDocument, type YAMLMap } from 'yaml';
import { ROOT } from './cli.ts';

export const RENAMED: Readonly<Record<string, string>> = {
  kong: 'gateway',
  consul: 'registry',
  rabbitmq: 'bus',
  postgres: 'db',
  prometheus: 'metrics',
};

/** A host name in a URL, a /dev/tcp path, a Host header, a getent lookup or a scrape target. */
function renameHosts(text: string): string {
  let out = text;
  for (const [from, to] of Object.entries(RENAMED)) {
    out = out
      .replace(new RegExp(`(//|')${from}(?=:\\d)`, 'g'), `$1${to}`)
      .replace(new RegExp(`(/dev/tcp/)${from}(?=/)`, 'g'), `$1${to}`)
      .replace(new RegExp(`(Host: |ahostsv4 )${from}\\b`, 'g'), `$1${to}`);
  }
  return out;
}

export function renamedStackYaml(project: string): string {
  const doc = parseDocument(readFileSync(join(ROOT, 'stacks', 'microkubes.yaml'), 'utf8'));
  doc.set('name', project);
  // Before services:, so a test can append services to the text.
  const top = doc.contents as YAMLMap;
  top.items.splice(1, 0, doc.createPair('extends', 'none'));
  const services = doc.get('services') as YAMLMap;
  for (const pair of services.items) {
    const key = pair.key as { value: string };
    key.value = RENAMED[key.value] ?? key.value;
    const service = pair.value as YAMLMap;
    // An environment value that is a service's host name (KONG_PG_HOST: postgres).
    const env = service.get('env');
    if (isMap(env)) {
      for (const e of env.items)
        if (isScalar(e.key) && String(e.key.value).endsWith('_HOST')) renameScalar(e.value);
    }
    const dependsOn = service.get('depends_on');
    if (isMap(dependsOn)) for (const d of dependsOn.items) renameScalar(d.key);
    const requires = service.get('requires');
    if (isSeq(requires)) for (const r of requires.items) renameScalar(r);
    for (const list of ['after_ready', 'after_completed']) {
      const actions = service.get(list);
      if (!isSeq(actions)) continue;
      for (const action of actions.items) {
        const put = isMap(action) ? action.get('consul_kv_put') : undefined;
        if (isMap(put)) renameScalar(put.get('service', true));
      }
    }
  }
  // Host names inside strings: the gateway's entrypoint, env values, Prometheus' scrape targets.
  return renameHosts(doc.toString({ lineWidth: 0 }));
}

function renameScalar(node: unknown): void {
  if (isScalar(node) && typeof node.value === 'string') node.value = RENAMED[node.value] ?? node.value;
}
