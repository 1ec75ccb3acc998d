// The default stack (and variations) as Kubernetes manifests: the objects each service becomes, the
// Secret, and what is warned about. Rendering with kubectl is test/export-kubernetes.test.ts.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IStatefulSet } from 'kubernetes-models/apps/v1';
import type { IJob } from 'kubernetes-models/batch/v1';
import type { IRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import type { IContainer, IService } from 'kubernetes-models/v1';
import { describe, expect, it } from 'vitest';
import { kubeletExpand } from '../../../test/support/kubelet-expansion.ts';
import { UsageError, UserError } from '../../errors.ts';
import { loadStack } from '../../stack/load-stack.ts';
import type { Stack } from '../../stack/model.ts';
import { stackToKubernetes } from './manifests.ts';
import type { K8sObject } from './objects.ts';
import { renderFile } from './render.ts';

async function stackFrom(yaml?: string): Promise<Stack> {
  const dir = mkdtempSync(join(tmpdir(), 'mkdev-k8s-'));
  if (yaml !== undefined) writeFileSync(join(dir, 'mkdev.yaml'), yaml);
  return loadStack({ cwd: dir, project: 'shop', env: {} });
}

const objectsOf = (files: ReturnType<typeof stackToKubernetes>['files']) => files.flatMap((f) => f.objects);
const find = <K extends K8sObject['kind']>(objects: K8sObject[], kind: K, name: string) =>
  objects.find((o) => o.kind === kind && o.metadata?.name === name) as
    | Extract<K8sObject, { kind: K }>
    | undefined;
const containerOf = (o: K8sObject | undefined): IContainer | undefined =>
  o && 'spec' in o && o.spec && 'template' in o.spec ? o.spec.template?.spec?.containers[0] : undefined;

describe('the default stack as Kubernetes manifests', async () => {
  const stack = await stackFrom();
  const { files, warnings, notes } = stackToKubernetes(stack);
  const objects = objectsOf(files);

  it('writes one file per service, the namespace and the Secret', () => {
    expect(files.map((f) => f.name).sort()).toEqual(
      ['namespace.yaml', 'secrets.yaml', ...Object.keys(stack.services).map((s) => `${s}.yaml`)].sort(),
    );
    expect(objects.every((o) => o.kind === 'Namespace' || o.metadata?.namespace === 'shop')).toBe(true);
  });

  it('runs Postgres, RabbitMQ and Consul as StatefulSets with claims and headless Services', () => {
    for (const [name, claim] of [
      ['postgres', 'postgres-data'],
      ['rabbitmq', 'rabbitmq-data'],
      ['consul', 'consul-data'],
    ] as const) {
      const set = find(objects, 'StatefulSet', name) as IStatefulSet;
      expect(set.spec?.serviceName).toBe(name);
      expect(set.spec?.volumeClaimTemplates?.map((c) => c.metadata?.name)).toEqual([claim]);
      expect(find(objects, 'Service', name)?.spec?.clusterIP).toBe('None');
    }
  });

  it('derives readiness probes from the stack: exec, HTTP or TCP as the images allow', () => {
    const probe = (name: string, kind: 'StatefulSet' | 'Deployment') =>
      containerOf(find(objects, kind, name))?.readinessProbe;
    expect(probe('postgres', 'StatefulSet')?.exec?.command).toEqual([
      'pg_isready',
      '-q',
      '-h',
      '127.0.0.1',
      '-p',
      '5432',
      '-U',
      'kong',
      '-d',
      'kong',
    ]);
    expect(probe('consul', 'StatefulSet')?.exec?.command?.join(' ')).toContain('/v1/status/leader');
    expect(probe('kong', 'Deployment')?.httpGet).toEqual({
      port: 8100,
      path: '/status/ready',
      scheme: 'HTTP',
    });
    expect(probe('prometheus', 'StatefulSet')?.httpGet?.path).toBe('/-/ready');
    const rabbit = probe('rabbitmq', 'StatefulSet')?.exec?.command ?? [];
    expect(rabbit[0]).toBe('bash');
    expect(rabbit[2]).toContain('"$MKDEV_PROBE_AUTHORIZATION"');
    expect(rabbit[2]).toContain('/dev/tcp/127.0.0.1/5672');
  });

  it('keeps every generated credential in the Secret and nowhere else', () => {
    const secret = find(objects, 'Secret', 'shop-secrets');
    const values = Object.values(secret?.stringData ?? {});
    expect(values).toEqual(expect.arrayContaining([...stack.secrets]));
    for (const file of files.filter((f) => f.name !== 'secrets.yaml')) {
      const text = renderFile(file);
      for (const value of values) expect(text, file.name).not.toContain(value);
    }
    const kong = containerOf(find(objects, 'Deployment', 'kong'));
    expect(kong?.env?.find((e) => e.name === 'KONG_PG_PASSWORD')?.valueFrom?.secretKeyRef).toEqual({
      name: 'shop-secrets',
      key: 'postgres-password',
    });
  });

  it('exposes Kong: the proxy through a LoadBalancer (or NodePort), the admin API only in the cluster', () => {
    expect(find(objects, 'Service', 'kong-proxy')?.spec).toMatchObject({
      type: 'LoadBalancer',
      ports: [{ port: 8000 }],
    });
    expect(find(objects, 'Service', 'kong')?.spec?.type).toBeUndefined();
    const nodePort = objectsOf(stackToKubernetes(stack, { proxyServiceType: 'NodePort' }).files);
    expect((find(nodePort, 'Service', 'kong-proxy') as IService).spec?.type).toBe('NodePort');
  });

  it('gives Kong the Consul DNS Service (a ClusterIP Service with the DNS port) as its resolver', () => {
    const dns = find(objects, 'Service', 'consul-dns');
    expect(dns?.spec?.clusterIP).toBeUndefined();
    expect(dns?.spec?.ports?.map((p) => `${p.port}/${p.protocol}`).sort()).toEqual(['8600/TCP', '8600/UDP']);
    const script = kubeletExpand(containerOf(find(objects, 'Deployment', 'kong'))?.command?.[2] ?? '');
    expect(script).toContain('consul_dns="${CONSUL_DNS_SERVICE_HOST:-}"');
    expect(script).toContain('getent ahostsv4 consul-dns');
    expect(script).toContain('export KONG_DNS_RESOLVER="$consul_dns:8600"');
  });

  it("points Consul's recursor at the pod's nameserver instead of Docker's embedded DNS", () => {
    const args = containerOf(find(objects, 'StatefulSet', 'consul'))?.args ?? [];
    const script = kubeletExpand(args[2] ?? '');
    expect(script).toContain("nameserver=$(awk '/^nameserver/ { print $2; exit }' /etc/resolv.conf)");
    expect(script).toContain('-recursor=\'"$nameserver"');
    expect(script).not.toContain('127.0.0.11');
  });

  it("keeps Prometheus' configuration in a ConfigMap, scraping Kong through its Service", () => {
    expect(find(objects, 'ConfigMap', 'prometheus-env')?.data?.PROMETHEUS_CONFIG).toContain(
      "targets: ['kong:8100']",
    );
    expect(find(objects, 'Service', 'kong')?.spec?.ports?.map((p) => p.port)).toContain(8100);
  });

  it("enables the prometheus plugin in a Job that is not selected by Kong's Services", () => {
    const job = find(objects, 'Job', 'kong-after-ready') as IJob;
    expect(job.spec?.template.metadata?.labels?.['app.kubernetes.io/name']).toBe('kong-after-ready');
    expect(job.spec?.template.spec?.containers[0]?.command?.[2]).toContain('/dev/tcp/kong/8001');
  });

  it('runs the trace receiver from its files in a ConfigMap, behind a Service on OTLP/HTTP 4318', async () => {
    const { readdirSync } = await import('node:fs');
    const source = find(objects, 'ConfigMap', 'traces-source');
    expect(Object.keys(source?.data ?? {}).sort()).toEqual(
      readdirSync(join(import.meta.dirname, '../../../stacks/traces'))
        .filter((f) => f.endsWith('.ts'))
        .sort(),
    );
    const deployment = find(objects, 'Deployment', 'traces');
    const container = containerOf(deployment);
    expect(container?.args).toEqual(['node', '/opt/mkdev/receiver.ts']);
    expect(container?.volumeMounts).toEqual([{ name: 'source', mountPath: '/opt/mkdev', readOnly: true }]);
    expect(deployment?.spec?.template.spec?.volumes).toEqual([
      { name: 'source', configMap: { name: 'traces-source' } },
    ]);
    expect(container?.readinessProbe?.httpGet).toMatchObject({ path: '/healthz', port: 4318 });
    expect(find(objects, 'Service', 'traces')?.spec?.ports).toEqual([
      expect.objectContaining({ port: 4318, targetPort: 4318 }),
    ]);
    // Kong traces every request and its plugin sends to the receiver's Service.
    const kongEnv = containerOf(find(objects, 'Deployment', 'kong'))?.env ?? [];
    expect(kongEnv).toEqual(
      expect.arrayContaining([
        { name: 'KONG_TRACING_INSTRUMENTATIONS', value: 'all' },
        { name: 'KONG_TRACING_SAMPLING_RATE', value: '1.0' },
      ]),
    );
    const job = JSON.stringify(find(objects, 'Job', 'kong-after-ready'));
    expect(job).toContain('opentelemetry');
    expect(job).toContain('http://traces:4318/v1/traces');
  });

  it('gives the registrator a ServiceAccount that may only get, list and watch pods', () => {
    const role = find(objects, 'Role', 'registrator') as IRole;
    expect(role.rules).toEqual([{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] }]);
    const deployment = find(objects, 'Deployment', 'registrator');
    expect(deployment?.spec?.template.spec?.serviceAccountName).toBe('registrator');
    expect(containerOf(deployment)?.command).toEqual(['node', '/opt/mkdev/kubernetes.ts']);
    expect(Object.keys(find(objects, 'ConfigMap', 'registrator-source')?.data ?? {}).sort()).toEqual([
      'kubernetes.ts',
      'package.json',
      'pod-events.ts',
      'pod-watch.ts',
      'registration.ts',
    ]);
  });

  it('gives Postgres a PGDATA below the mount point, and Prometheus an fsGroup to write its claim', () => {
    const pg = containerOf(find(objects, 'StatefulSet', 'postgres'));
    expect(pg?.env).toContainEqual({ name: 'PGDATA', value: '/var/lib/postgresql/data/pgdata' });
    expect(find(objects, 'StatefulSet', 'prometheus')?.spec?.template.spec?.securityContext).toEqual({
      fsGroup: 65534,
    });
  });

  it('names what it adapted, and has nothing to warn about', () => {
    expect(warnings).toEqual([]);
    expect(notes.join('\n')).toMatch(/host ports .* are not bound/);
  });

  it('takes a namespace and a storage class', () => {
    const other = objectsOf(stackToKubernetes(stack, { namespace: 'team-a', storageClass: 'fast' }).files);
    expect(other.filter((o) => o.kind !== 'Namespace').every((o) => o.metadata?.namespace === 'team-a')).toBe(
      true,
    );
    const claims = (find(other, 'StatefulSet', 'postgres') as IStatefulSet).spec?.volumeClaimTemplates;
    expect(claims?.[0]?.spec?.storageClassName).toBe('fast');
    expect(() => stackToKubernetes(stack, { namespace: 'Team_A' })).toThrow(UsageError);
  });
});

describe('stacks with more than the default', () => {
  it('puts a secret embedded in a value in the Secret, referenced as $(VAR), and keeps other $( literal', async () => {
    const stack = await stackFrom(`services:
  worker:
    image: example/worker:1.0
    env:
      BROKER: "amqp://mkdev:\${secret:rabbitmq-password}@rabbitmq:5672"
      PROMPT: "$$(date) $$$$HOME"
    command: [sh, -c, "echo $$(hostname)"]
`);
    const worker = containerOf(find(objectsOf(stackToKubernetes(stack).files), 'Deployment', 'worker'));
    const password =
      stack.secrets.find((s) => stack.services.rabbitmq?.env.RABBITMQ_DEFAULT_PASS === s) ?? '';
    expect(worker?.env?.[0]).toEqual({
      name: 'MKDEV_SECRET_RABBITMQ_PASSWORD',
      valueFrom: { secretKeyRef: { name: 'shop-secrets', key: 'rabbitmq-password' } },
    });
    const env = { MKDEV_SECRET_RABBITMQ_PASSWORD: password };
    const value = (name: string) =>
      kubeletExpand(worker?.env?.find((e) => e.name === name)?.value ?? '', env);
    expect(value('BROKER')).toBe(`amqp://mkdev:${password}@rabbitmq:5672`);
    expect(value('PROMPT')).toBe('$(date) $$HOME');
    expect(kubeletExpand(worker?.args?.[2] ?? '')).toBe('echo $(hostname)');
  });

  it('annotates the pods of a service with `register:` for the registrator, and opens that port', async () => {
    const stack = await stackFrom(
      'services:\n  legacy:\n    image: example/legacy:2.1\n    register: { port: 9000 }\n',
    );
    const deployment = find(objectsOf(stackToKubernetes(stack).files), 'Deployment', 'legacy');
    expect(deployment?.spec?.template.metadata?.annotations).toEqual({
      'dev.mkdev.register-port': 'legacy:9000',
    });
    expect(containerOf(deployment)?.ports).toEqual([
      { name: 'tcp-9000', containerPort: 9000, protocol: 'TCP' },
    ]);
  });

  it('refuses a service whose objects would collide with generated ones', async () => {
    const stack = await stackFrom(
      'services:\n  kong-proxy:\n    image: example/proxy:1.0\n    ports: ["8000"]\n',
    );
    expect(() => stackToKubernetes(stack)).toThrow(UserError);
    try {
      stackToKubernetes(stack);
    } catch (error) {
      expect((error as UserError).details).toContain(
        'kong-proxy.yaml: Service kong-proxy is also defined in kong.yaml: rename one of the services',
      );
    }
  });

  it('exports a stack without the default services', async () => {
    const stack = await stackFrom(
      'extends: none\nservices:\n  web:\n    image: example/web:1.0\n    ports: ["80"]\n',
    );
    const { files, warnings } = stackToKubernetes(stack);
    expect(files.map((f) => f.name)).toEqual(['namespace.yaml', 'web.yaml']);
    expect(warnings).toEqual([]);
  });

  it('names in a warning what has no Kubernetes equivalent', async () => {
    const stack = await stackFrom(`services:
  legacy:
    image: example/legacy:2.1
    user: app
    volumes: ["./config:/config:ro"]
    ready: { log: { pattern: started } }
    depends_on: { kong-migrations: { condition: completed } }
`);
    const { warnings } = stackToKubernetes(stack);
    expect([...warnings]).toEqual([
      expect.stringMatching(/^legacy: its readiness waits for a log line \(started\)/),
      expect.stringMatching(/^legacy: the bind mount .*\/config:\/config has no Kubernetes equivalent/),
      expect.stringMatching(/^legacy: user 'app' is a name/),
      expect.stringMatching(
        /^legacy: waits for kong-migrations to complete; Kubernetes has no such ordering/,
      ),
    ]);
  });

  it('refuses built services without a registry, and names their images after it with one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mkdev-k8s-'));
    writeFileSync(join(dir, 'Dockerfile'), 'FROM scratch\n');
    writeFileSync(join(dir, 'mkdev.yaml'), 'services:\n  orders:\n    build: .\n');
    const stack = await loadStack({ cwd: dir, project: 'shop', env: {} });
    expect(() => stackToKubernetes(stack)).toThrow(/orders is built from source.*registry/);
    const { files } = stackToKubernetes(stack, { registry: 'registry.example.com/team' });
    const image = containerOf(find(objectsOf(files), 'Deployment', 'orders'))?.image;
    expect(image).toMatch(/^registry\.example\.com\/team\/shop-orders:[0-9a-f]{12}$/);
  });

  it('refuses a stack whose manifests would not hold together, naming each problem', async () => {
    const stack = await stackFrom('services:\n  legacy:\n    image: example/legacy\n    ports: ["8080"]\n');
    expect(() => stackToKubernetes(stack)).toThrow(UserError);
    try {
      stackToKubernetes(stack);
    } catch (error) {
      expect((error as UserError).details).toContain(
        "legacy.yaml: Deployment legacy, container legacy: image 'example/legacy' has no tag",
      );
    }
  });
});
