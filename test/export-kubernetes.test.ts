// `mkdev export kubernetes` through the built CLI: the default stack, and one with a scaffolded
// TypeScript and a scaffolded Python service, export, validate and render with `kubectl kustomize`
// (offline; no cluster exists here); a broken stack is refused with what is wrong; a push that fails
// says so. Needs kubectl on PATH (Debian's kubernetes-client: scripts/test.sh installs it).
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { docker, newService, testProject } from './support/cli.ts';

async function kustomize(
  dir: string,
): Promise<{ kind: string; metadata: { name: string }; [k: string]: unknown }[]> {
  const result = await execa('kubectl', ['kustomize', dir], { reject: false, all: true });
  if (result.exitCode !== 0) throw new Error(`kubectl kustomize ${dir} failed:\n${result.all}`);
  return parseAllDocuments(result.stdout).map((d) => d.toJS());
}

const names = (objects: { kind: string; metadata: { name: string } }[]) =>
  objects.map((o) => `${o.kind}/${o.metadata.name}`).sort();

beforeAll(async () => {
  const version = await execa('kubectl', ['version', '--client'], { reject: false });
  if (version.exitCode !== 0) {
    throw new Error(
      'kubectl is not installed: these tests need it to render the manifests (apt-get install -y kubernetes-client; scripts/test.sh does it)',
    );
  }
});

describe('mkdev export kubernetes', () => {
  it('writes the default stack as manifests kubectl kustomize renders, with the secrets readable by the owner only', async () => {
    const project = testProject('k8s');
    const result = await project.run(['export', 'kubernetes', '-o', 'k8s']);
    expect(result.exitCode, result.all).toBe(0);
    expect(result.stderr).toContain('apply with: kubectl apply -k k8s');
    const dir = join(project.dir, 'k8s');
    expect(readdirSync(dir).sort()).toEqual([
      'consul.yaml',
      'kong-migrations.yaml',
      'kong.yaml',
      'kustomization.yaml',
      'namespace.yaml',
      'postgres.yaml',
      'prometheus.yaml',
      'rabbitmq.yaml',
      'registrator.yaml',
      'secrets.yaml',
    ]);
    expect(statSync(join(dir, 'secrets.yaml')).mode & 0o777).toBe(0o600);
    const objects = await kustomize(dir);
    expect(names(objects)).toEqual([
      'ConfigMap/prometheus-env',
      'ConfigMap/registrator-source',
      'Deployment/kong',
      'Deployment/registrator',
      'Job/kong-after-ready',
      'Job/kong-migrations',
      `Namespace/${project.name}`,
      'Role/registrator',
      'RoleBinding/registrator',
      `Secret/${project.name}-secrets`,
      'Service/consul',
      'Service/consul-dns',
      'Service/kong',
      'Service/kong-proxy',
      'Service/postgres',
      'Service/prometheus',
      'Service/rabbitmq',
      'ServiceAccount/registrator',
      'StatefulSet/consul',
      'StatefulSet/postgres',
      'StatefulSet/prometheus',
      'StatefulSet/rabbitmq',
    ]);
  });

  it('exports a stack with a scaffolded TypeScript and Python service, their images under --registry', async () => {
    const project = testProject('k8s');
    expect((await newService(['orders'], project.dir)).exitCode).toBe(0);
    expect((await newService(['billing', '--lang', 'python'], project.dir)).exitCode).toBe(0);
    const refused = await project.run(['export', 'kubernetes']);
    expect(refused.exitCode).toBe(1);
    expect(refused.all).toContain('orders, billing are built from source');
    expect(refused.all).toContain('--registry');
    expect(refused.all).not.toMatch(/\n\s+at /);

    const result = await project.run([
      'export',
      'kubernetes',
      '-o',
      'out',
      '--registry',
      'registry.example.com/team',
      '--namespace',
      'team-a',
    ]);
    expect(result.exitCode, result.all).toBe(0);
    const objects = await kustomize(join(project.dir, 'out'));
    for (const service of ['orders', 'billing']) {
      const deployment = objects.find(
        (o) => o.kind === 'Deployment' && o.metadata.name === service,
      ) as unknown as {
        metadata: { namespace: string };
        spec: { template: { spec: { containers: { image: string; readinessProbe: unknown }[] } } };
      };
      expect(deployment.metadata.namespace).toBe('team-a');
      const [container] = deployment.spec.template.spec.containers;
      expect(container?.image).toMatch(
        new RegExp(`^registry\\.example\\.com/team/${project.name}-${service}:[0-9a-f]{12}$`),
      );
      expect(container?.readinessProbe).toMatchObject({ httpGet: { path: '/readyz' } });
      expect(names(objects)).toContain(`Service/${service}`);
    }
  });

  it('refuses a broken stack, naming each problem, and writes nothing', async () => {
    const project = testProject('k8s', {
      'mkdev.yaml':
        'services:\n  legacy:\n    image: example/legacy\n    ports: ["8080"]\n  cache:\n    image: redis:latest\n',
    });
    const result = await project.run(['export', 'kubernetes', '-o', 'k8s']);
    expect(result.exitCode).toBe(1);
    expect(result.all).toContain('the Kubernetes manifests for this stack are not valid (2 problems)');
    expect(result.all).toContain(
      "legacy.yaml: Deployment legacy, container legacy: image 'example/legacy' has no tag",
    );
    expect(result.all).toContain(
      "cache.yaml: Deployment cache, container cache: image 'redis:latest' has the tag 'latest'",
    );
    expect(readdirSync(project.dir)).not.toContain('k8s');
  });

  it('builds a service under its registry name and says clearly when the push fails', async () => {
    const project = testProject('k8s');
    mkdirSync(join(project.dir, 'tiny'));
    writeFileSync(
      join(project.dir, 'tiny', 'Dockerfile'),
      'ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nLABEL dev.mkdev.test=export-kubernetes\n',
    );
    project.write(
      'mkdev.yaml',
      'services:\n  tiny:\n    build: { context: tiny, args: { BASE_IMAGE: "node:24-bookworm-slim" } }\n',
    );
    // Nothing listens on port 1: the push is refused at once.
    const result = await project.run([
      'export',
      'kubernetes',
      '--registry',
      '127.0.0.1:1/mkdevtest',
      '--push',
    ]);
    const image = /pushing (127\.0\.0\.1:1\/mkdevtest\/\S+) \(service tiny\) failed/.exec(result.all)?.[1];
    try {
      expect(result.exitCode, result.all).toBe(1);
      expect(image, result.all).toMatch(
        new RegExp(`^127\\.0\\.0\\.1:1/mkdevtest/${project.name}-tiny:[0-9a-f]{12}$`),
      );
      expect(result.all).toMatch(/failed: .*127\.0\.0\.1:1.*connection refused/);
      expect(result.all).toContain('docker login');
      expect(result.all).not.toMatch(/\n\s+at /);
      // Built under the name the manifests would use.
      expect((await docker.getImage(image ?? '').inspect()).Config.Labels).toMatchObject({
        'dev.mkdev.test': 'export-kubernetes',
      });
    } finally {
      if (image)
        await docker
          .getImage(image)
          .remove()
          .catch(() => undefined);
    }
    expect(readFileSync(join(project.dir, 'mkdev.yaml'), 'utf8')).toContain('tiny');
  });
});
