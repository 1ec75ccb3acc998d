// The registrator's Kubernetes mode at its boundary: pod events in, Consul calls out, against the Consul
// stand-in in this process. No cluster exists here, so the events come two ways: straight into the
// event handler (pod-events.ts), and through @kubernetes/client-node's own informer (pod-watch.ts)
// reading a list and a watch stream from a local HTTP server that answers as the API server does.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { registratorObjects } from '../src/export/kubernetes/registrator.ts';
import type { ServiceSpec } from '../src/stack/model.ts';
import { onPodEvent, type PodLike } from '../stacks/registrator/pod-events.ts';
import { watchPods } from '../stacks/registrator/pod-watch.ts';
import { createRegistrar, type Registrar } from '../stacks/registrator/registration.ts';
import { useInProcessAgent, waitFor } from './stand-ins/consul/helpers.ts';

const t = useInProcessAgent();
const quiet = () => undefined;
let listener: Server;
let port: number;

interface AgentService {
  ID: string;
  Service: string;
  Address: string;
  Port: number;
  Meta: Record<string, string>;
}

async function services(): Promise<Record<string, AgentService>> {
  return (await (await fetch(`${t.base}/agent/services`)).json()) as Record<string, AgentService>;
}

let uid = 0;
function pod(
  name: string,
  overrides: { phase?: string; ip?: string; annotation?: string | null; deleting?: boolean } = {},
): PodLike {
  uid += 1;
  return {
    metadata: {
      name,
      namespace: 'shop',
      uid: `uid-${uid}`,
      ...(overrides.annotation === null
        ? {}
        : { annotations: { 'dev.mkdev.register-port': overrides.annotation ?? `legacy:${port}` } }),
      ...(overrides.deleting ? { deletionTimestamp: new Date().toISOString() } : {}),
    },
    status: { phase: overrides.phase ?? 'Running', podIP: overrides.ip ?? '127.0.0.1' },
  };
}

beforeAll(async () => {
  // Something listening where the pods "are", so Consul's TCP check has something to pass on.
  listener = createNetServer((socket) => socket.end());
  await new Promise<void>((r) => listener.listen(0, '127.0.0.1', () => r()));
  const address = listener.address();
  port = typeof address === 'object' && address ? address.port : 0;
});
afterAll(() => listener.close());

describe('pod events -> Consul', () => {
  let registrar: Registrar;
  beforeEach(async () => {
    for (const id of Object.keys(await services()))
      await fetch(`${t.base}/agent/service/deregister/${id}`, { method: 'PUT' });
    registrar = createRegistrar(`http://127.0.0.1:${t.agent.httpPort}`, quiet);
  });

  it('registers an annotated running pod at its IP and port, with a TCP check that passes', async () => {
    await onPodEvent(registrar, 'ADDED', pod('legacy-7d9f-abcde'));
    const registered = (await services())['legacy-legacy-7d9f-abcde'];
    expect(registered).toMatchObject({ Service: 'legacy', Address: '127.0.0.1', Port: port });
    expect(registered?.Meta).toMatchObject({
      pod: 'legacy-7d9f-abcde',
      namespace: 'shop',
      registered_by: 'mkdev-registrator',
    });
    const checks = await waitFor(async () => {
      const all = (await (await fetch(`${t.base}/health/checks/legacy`)).json()) as {
        Status: string;
        Type: string;
      }[];
      return all.find((c) => c.Status === 'passing') ? all : undefined;
    });
    expect(checks?.[0]?.Type).toBe('tcp');
  });

  it('leaves pods alone that are not annotated, not running yet, or carry a bad annotation', async () => {
    await onPodEvent(registrar, 'ADDED', pod('plain', { annotation: null }));
    await onPodEvent(registrar, 'ADDED', pod('pending', { phase: 'Pending', ip: '' }));
    await onPodEvent(registrar, 'ADDED', pod('bad', { annotation: 'legacy:http' }));
    expect(await services()).toEqual({});
  });

  it('registers a pod once it runs, once however often it is modified, and deregisters it when it is deleted', async () => {
    const pending = pod('worker-1', { phase: 'Pending', ip: '' });
    await onPodEvent(registrar, 'ADDED', pending);
    expect(await services()).toEqual({});
    const running = { ...pending, status: { phase: 'Running', podIP: '127.0.0.1' } };
    await onPodEvent(registrar, 'MODIFIED', running);
    await onPodEvent(registrar, 'MODIFIED', running);
    expect(Object.keys(await services())).toEqual(['legacy-worker-1']);
    await onPodEvent(registrar, 'DELETED', running);
    expect(await services()).toEqual({});
  });

  it('deregisters a pod as soon as it is being deleted (terminating), before it is gone', async () => {
    const running = pod('worker-2');
    await onPodEvent(registrar, 'ADDED', running);
    expect(Object.keys(await services())).toEqual(['legacy-worker-2']);
    await onPodEvent(registrar, 'MODIFIED', {
      ...running,
      metadata: { ...running.metadata, deletionTimestamp: new Date() },
    });
    expect(await services()).toEqual({});
  });

  it('keeps the registration of a pod that registered itself under the same ID', async () => {
    await fetch(`${t.base}/agent/service/register`, {
      method: 'PUT',
      body: JSON.stringify({
        ID: 'legacy-self-1',
        Name: 'legacy',
        Address: '127.0.0.1',
        Port: port,
        Meta: { own: 'yes' },
      }),
    });
    await onPodEvent(registrar, 'ADDED', pod('self-1'));
    expect((await services())['legacy-self-1']?.Meta).toEqual({ own: 'yes' });
  });
});

/** Answers the pods list and watch of one namespace as the API server does (list, then a watch stream). */
async function fakeApiServer(initial: PodLike[]) {
  const watchers: ServerResponse[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== '/api/v1/namespaces/shop/pods') {
      res.writeHead(404).end();
      return;
    }
    if (url.searchParams.get('watch') === 'true') {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.flushHeaders();
      watchers.push(res);
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(
      JSON.stringify({
        kind: 'PodList',
        apiVersion: 'v1',
        metadata: { resourceVersion: '10' },
        items: initial,
      }),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const address = server.address();
  return {
    url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`,
    watchers,
    close() {
      for (const w of watchers) w.end();
      server.closeAllConnections();
      server.close();
    },
    send(type: string, object: PodLike, version: number) {
      const withVersion = { ...object, metadata: { ...object.metadata, resourceVersion: String(version) } };
      for (const w of watchers) w.write(`${JSON.stringify({ type, object: withVersion })}\n`);
    },
  };
}

describe('the informer (@kubernetes/client-node) -> Consul', () => {
  it('registers the pods it lists, then follows the watch: a new pod is registered, a deleted one deregistered', async () => {
    for (const id of Object.keys(await services()))
      await fetch(`${t.base}/agent/service/deregister/${id}`, { method: 'PUT' });
    const listed = pod('listed-1');
    const api = await fakeApiServer([listed]);
    const kc = new KubeConfig();
    kc.loadFromOptions(kubeconfigFor(api.url));
    const registrar = createRegistrar(`http://127.0.0.1:${t.agent.httpPort}`, quiet);
    const watch = watchPods(kc, 'shop', registrar, quiet);
    try {
      await watch.started;
      await waitFor(async () => (await services())['legacy-listed-1']);
      await waitFor(() => api.watchers.length > 0);
      const added = pod('added-1');
      api.send('ADDED', added, 11);
      await waitFor(async () => (await services())['legacy-added-1']);
      api.send('DELETED', listed, 12);
      await waitFor(async () => (await services())['legacy-listed-1'] === undefined);
      expect(Object.keys(await services())).toEqual(['legacy-added-1']);
    } finally {
      await watch.stop();
      api.close();
    }
  });
});

describe('the registrator as exported (its ConfigMap run by Node, as in the pod)', () => {
  it('starts from the ConfigMap files alone and registers a pod the API server lists', async () => {
    for (const id of Object.keys(await services()))
      await fetch(`${t.base}/agent/service/deregister/${id}`, { method: 'PUT' });
    const spec = { name: 'registrator', image: 'node:24-bookworm-slim', env: {} } as unknown as ServiceSpec;
    const ctx = { project: 'shop', namespace: 'shop', secretName: 'shop-secrets' };
    const configMap = registratorObjects(ctx, spec).find((o) => o.kind === 'ConfigMap');
    const dir = mkdtempSync(join(tmpdir(), 'mkdev-registrator-'));
    const api = await fakeApiServer([pod('from-configmap')]);
    try {
      for (const [file, text] of Object.entries(
        configMap?.kind === 'ConfigMap' ? (configMap.data ?? {}) : {},
      )) {
        writeFileSync(join(dir, file), text);
      }
      // The init container's `npm install` of the pinned client, without the network: this checkout's copy.
      mkdirSync(join(dir, 'node_modules', '@kubernetes'), { recursive: true });
      symlinkSync(
        join(process.cwd(), 'node_modules', '@kubernetes', 'client-node'),
        join(dir, 'node_modules', '@kubernetes', 'client-node'),
      );
      const kubeconfig = join(dir, 'kubeconfig.json');
      writeFileSync(kubeconfig, JSON.stringify(kubeconfigFile(api.url)));
      const child = spawn(process.execPath, [join(dir, 'kubernetes.ts')], {
        env: {
          ...process.env,
          KUBECONFIG: kubeconfig,
          MKDEV_NAMESPACE: 'shop',
          CONSUL_URL: `http://127.0.0.1:${t.agent.httpPort}`,
        },
        stdio: 'ignore',
      });
      try {
        const registered = await waitFor(async () => (await services())['legacy-from-configmap']);
        expect(registered).toMatchObject({ Service: 'legacy', Address: '127.0.0.1', Port: port });
      } finally {
        child.kill();
      }
    } finally {
      api.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

function kubeconfigFor(server: string) {
  return {
    // The client refuses a plain-HTTP server unless TLS verification is off (there is no TLS to verify).
    clusters: [{ name: 'test', server, skipTLSVerify: true }],
    users: [{ name: 'test', token: 'test' }],
    contexts: [{ name: 'test', cluster: 'test', user: 'test', namespace: 'shop' }],
    currentContext: 'test',
  };
}

/** The same, as a kubeconfig file. */
function kubeconfigFile(server: string) {
  return {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'test', cluster: { server, 'insecure-skip-tls-verify': true } }],
    users: [{ name: 'test', user: { token: 'test' } }],
    contexts: [{ name: 'test', context: { cluster: 'test', user: 'test', namespace: 'shop' } }],
    'current-context': 'test',
  };
}
