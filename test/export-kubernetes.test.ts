// `mkdev export kubernetes` through the built CLI: the default stack, and one with a scaffolded
// TypeScript, Python and Go service, export, validate and render with `kubectl kustomize`
// (offline; no cluster exists here); a broken stack is refused with what is wrong; a push that fails
// says so. Needs kubectl on PATH (Debian's kubernetes-client: scripts/test.sh installs it).
import { spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { docker, eventually, newService, ROOT, removeProject, testProject } from './support/cli.ts';

/** Debian's docker-registry, unpacked by scripts/test.sh (it is not installed as a service). */
const REGISTRY_BIN = join(ROOT, '.cache', 'docker-registry', 'usr', 'bin', 'docker-registry');

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const address = server.address();
  await new Promise<void>((r) => server.close(() => r()));
  return typeof address === 'object' && address ? address.port : 0;
}

/** A tiny service: one file in an empty image, so it builds and pushes in a moment. */
function tinyService(project: ReturnType<typeof testProject>): void {
  mkdirSync(join(project.dir, 'tiny'));
  writeFileSync(join(project.dir, 'tiny', 'hello.txt'), 'hello\n');
  writeFileSync(
    join(project.dir, 'tiny', 'Dockerfile'),
    'FROM scratch\nCOPY hello.txt /\nLABEL dev.mkdev.test=export-kubernetes\n',
  );
  project.write('mkdev.yaml', 'services:\n  tiny:\n    build: tiny\n');
}

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
      'traces.yaml',
    ]);
    expect(statSync(join(dir, 'secrets.yaml')).mode & 0o777).toBe(0o600);
    const objects = await kustomize(dir);
    expect(names(objects)).toEqual([
      'ConfigMap/prometheus-env',
      'ConfigMap/registrator-source',
      'ConfigMap/traces-source',
      'Deployment/kong',
      'Deployment/registrator',
      'Deployment/traces',
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
      'Service/traces',
      'ServiceAccount/registrator',
      'StatefulSet/consul',
      'StatefulSet/postgres',
      'StatefulSet/prometheus',
      'StatefulSet/rabbitmq',
    ]);
  });

  it('exports a stack with a scaffolded TypeScript, Python and Go service, their images under --registry', async () => {
    const project = testProject('k8s');
    expect((await newService(['orders'], project.dir)).exitCode).toBe(0);
    expect((await newService(['billing', '--lang', 'python'], project.dir)).exitCode).toBe(0);
    expect((await newService(['payments', '--lang', 'go'], project.dir)).exitCode).toBe(0);
    const refused = await project.run(['export', 'kubernetes']);
    expect(refused.exitCode).toBe(1);
    expect(refused.all).toContain('orders, billing, payments are built from source');
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
    for (const service of ['orders', 'billing', 'payments']) {
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
    tinyService(project);
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

  it('builds and pushes a service to a registry, and the manifests name the pushed image', async () => {
    const project = testProject('k8s');
    tinyService(project);
    const pushed = await exportAndPush(project, 'tiny');
    expect(pushed.tags).toEqual([pushed.tag]);
  });

  it('builds a scaffolded Go service in its two stages and pushes it; the Deployment runs the pushed image', async () => {
    const project = testProject('k8s');
    expect((await newService(['payments', '--lang', 'go'], project.dir)).exitCode).toBe(0);
    const pushed = await exportAndPush(project, 'payments');
    expect(pushed.tags).toEqual([pushed.tag]);
    // The image is the runtime stage: the static binary on the Debian base, run as nobody.
    const inspected = await docker.getImage(pushed.image).inspect();
    expect(inspected.Config.Cmd).toEqual(['/usr/local/bin/payments']);
    expect(inspected.Config.User).toBe('65534:65534');
    const deployment = (await kustomize(join(project.dir, 'k8s'))).find(
      (o) => o.kind === 'Deployment' && o.metadata.name === 'payments',
    ) as unknown as { spec: { template: { spec: { containers: { image: string }[] } } } };
    expect(deployment.spec.template.spec.containers[0]?.image).toBe(pushed.image);
  }, 1_800_000);
});

/** Projects whose images were built and pushed: removed after the tests (which look at the images first), with their build stages. */
const pushedProjects: string[] = [];
afterAll(() => Promise.all(pushedProjects.map(removeProject)));

/**
 * `export kubernetes -o k8s --registry <local registry>/team --push` with Debian's docker-registry on a
 * free port: the image the manifests name, its tag, and the tags the registry holds for it.
 */
async function exportAndPush(
  project: ReturnType<typeof testProject>,
  service: string,
): Promise<{ image: string; tag: string; tags: string[] }> {
  if (!existsSync(REGISTRY_BIN)) {
    throw new Error(`${REGISTRY_BIN} is missing: scripts/test.sh unpacks Debian's docker-registry there`);
  }
  const port = await freePort();
  const storage = mkdtempSync(join(tmpdir(), 'mkdev-registry-'));
  const config = join(storage, 'config.yml');
  writeFileSync(
    config,
    `version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: ${storage}/data\nhttp:\n  addr: 127.0.0.1:${port}\n`,
  );
  const registry = spawn(REGISTRY_BIN, ['serve', config], { stdio: 'ignore' });
  pushedProjects.push(project.name);
  try {
    await eventually(
      async () =>
        (await fetch(`http://127.0.0.1:${port}/v2/`).catch(() => undefined))?.ok ? true : undefined,
      15_000,
      'the registry to answer',
    );
    const result = await project.run(
      ['export', 'kubernetes', '-o', 'k8s', '--registry', `127.0.0.1:${port}/team`, '--push'],
      { timeout: 1_500_000 },
    );
    expect(result.exitCode, result.all).toBe(0);
    const image = new RegExp(`image: (127\\.0\\.0\\.1:\\d+/team/\\S+-${service}:\\S+)`).exec(
      readFileSync(join(project.dir, 'k8s', `${service}.yaml`), 'utf8'),
    )?.[1];
    const tag = image?.slice(image.lastIndexOf(':') + 1) ?? '';
    const listed = (await (
      await fetch(`http://127.0.0.1:${port}/v2/team/${project.name}-${service}/tags/list`)
    ).json()) as { tags: string[] };
    return { image: image ?? '', tag, tags: listed.tags };
  } finally {
    registry.kill();
    rmSync(storage, { recursive: true, force: true });
  }
}
