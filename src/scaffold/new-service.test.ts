// new-service in-process: refusals leave the project untouched; generated services are complete,
// their placeholders replaced, and the mkdev.yaml entry loads as the stack model expects.
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError, UserError } from '../errors.ts';
import { loadStack, sanitizeProjectName } from '../stack/load-stack.ts';
import { projectFileTemplate } from '../stack/project-file.ts';
import { newService } from './new-service.ts';
import { RESERVED_NAMES } from './service-name.ts';

const PLACEHOLDER = /__(SERVICE_NAME|ROUTE_PATH|PORT)__/;

function project(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'mkdev-new-service-'));
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
  return dir;
}

/** Every path and file content under dir: compared before and after a refusal. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const full = join(d, e.name);
      const rel = relative(dir, full);
      if (e.isSymbolicLink()) out[rel] = 'symlink';
      else if (e.isDirectory()) {
        out[rel] = 'dir';
        walk(full);
      } else out[rel] = readFileSync(full, 'utf8');
    }
  };
  walk(dir);
  return out;
}

function refused(
  dir: string,
  options: Partial<Parameters<typeof newService>[0]> & { name: string },
): unknown {
  const before = snapshot(dir);
  let error: unknown;
  try {
    newService({ projectDir: dir, ...options });
  } catch (e) {
    error = e;
  }
  expect(error, 'expected a refusal').toBeInstanceOf(UserError);
  expect(snapshot(dir)).toEqual(before);
  return error;
}

/** The readiness probes, whether the model holds one (`probe`) or several (`probes`). */
function readyProbes(ready: unknown): unknown[] {
  const r = (ready ?? {}) as { probe?: unknown; probes?: unknown[] };
  return r.probes ?? (r.probe === undefined ? [] : [r.probe]);
}

function listFiles(dir: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[])
    .filter((f) => statSync(join(dir, f)).isFile())
    .sort();
}

describe('new-service refuses, writing nothing', () => {
  it.each([
    'Orders',
    '-orders',
    'orders-',
    'or_ders',
    'or.ders',
    '',
    'a'.repeat(64),
    'ördes',
    'orders/x',
    '..',
  ])('a name that is not a DNS label: %j', (name) => {
    const dir = project({ 'mkdev.yaml': projectFileTemplate('p') });
    expect(refused(dir, { name })).toBeInstanceOf(UsageError);
  });

  it.each([...RESERVED_NAMES])('the reserved name %s', (name) => {
    const dir = project();
    const error = refused(dir, { name });
    expect(error).not.toBeInstanceOf(UsageError);
    expect((error as Error).message).toContain("stack's own services");
  });

  it('an existing services/<name> directory', () => {
    const dir = project();
    mkdirSync(join(dir, 'services', 'orders'), { recursive: true });
    writeFileSync(join(dir, 'services', 'orders', 'keep.txt'), 'mine');
    expect((refused(dir, { name: 'orders' }) as Error).message).toContain('services/orders already exists');
  });

  it('an existing services/<name> file or dangling symlink', () => {
    const dir = project();
    mkdirSync(join(dir, 'services'));
    writeFileSync(join(dir, 'services', 'orders'), 'x');
    symlinkSync(join(dir, 'missing'), join(dir, 'services', 'users'));
    refused(dir, { name: 'orders' });
    refused(dir, { name: 'users' });
  });

  it('a services that is a file', () => {
    const dir = project();
    writeFileSync(join(dir, 'services'), 'not a directory');
    expect((refused(dir, { name: 'orders' }) as Error).message).toBe('services is not a directory');
  });

  it('a service of that name already in mkdev.yaml', () => {
    const dir = project({ 'mkdev.yaml': 'name: p\nservices:\n  orders:\n    image: nginx\n' });
    expect((refused(dir, { name: 'orders' }) as Error).message).toContain("already has a service 'orders'");
  });

  it('a --path without a leading slash, or not a plain path', () => {
    const dir = project();
    expect(refused(dir, { name: 'orders', routePath: 'orders' })).toBeInstanceOf(UsageError);
    expect(refused(dir, { name: 'orders', routePath: '/a b' })).toBeInstanceOf(UsageError);
  });

  it('an unknown --lang', () => {
    const dir = project();
    const error = refused(dir, { name: 'orders', language: 'rust' });
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toBe("unknown --lang 'rust'");
    expect((error as UsageError).hint).toBe('choose one of: ts, python, go');
  });

  it('a services/ symlinked out of the project', () => {
    const outside = mkdtempSync(join(tmpdir(), 'mkdev-outside-'));
    const dir = project();
    symlinkSync(outside, join(dir, 'services'));
    expect((refused(dir, { name: 'orders' }) as Error).message).toContain('outside the project');
    expect(readdirSync(outside)).toEqual([]);
  });

  it('a services/ symlinked to a missing directory', () => {
    const dir = project();
    symlinkSync(join(tmpdir(), 'mkdev-missing-xyz', 'services'), join(dir, 'services'));
    refused(dir, { name: 'orders' });
  });

  it('an unparsable mkdev.yaml, naming the line', () => {
    const dir = project({ 'mkdev.yaml': 'name: p\nservices: [\n' });
    expect((refused(dir, { name: 'orders' }) as Error).message).toMatch(/^mkdev\.yaml:\d+:\d+: /);
  });

  it('a missing compiled register library (TS)', () => {
    const dir = project();
    expect(
      (refused(dir, { name: 'orders', registerLibraryDir: join(dir, 'nope/') }) as Error).message,
    ).toContain('register library is missing');
  });

  it('a missing register package (Go)', () => {
    const dir = project();
    expect(
      (refused(dir, { name: 'orders', language: 'go', goRegisterPackageDir: join(dir, 'nope/') }) as Error)
        .message,
    ).toContain('Go register package is missing');
  });
});

describe('new-service writes', () => {
  it('a TS service, a new mkdev.yaml, and a stack entry that loads', async () => {
    const dir = project();
    const result = newService({ projectDir: dir, name: 'orders' });
    expect(result).toMatchObject({
      language: 'ts',
      routePath: '/orders',
      port: 8080,
      createdProjectFile: true,
    });
    const service = join(dir, 'services', 'orders');
    const files = listFiles(service);
    for (const f of [
      'Dockerfile',
      'README.md',
      'package.json',
      'src/main.ts',
      'test/config.test.ts',
      'vendor/mkdev-register/index.js',
      'vendor/mkdev-register/index.d.ts',
      'vendor/mkdev-register/kong.js',
      'vendor/mkdev-register/package.json',
    ]) {
      expect(files).toContain(f);
    }
    expect(files.filter((f) => f.endsWith('.map') || f.includes('.test.js'))).toEqual([]);
    for (const f of files) expect(readFileSync(join(service, f), 'utf8'), f).not.toMatch(PLACEHOLDER);
    expect(JSON.parse(readFileSync(join(service, 'package.json'), 'utf8'))).toMatchObject({
      name: 'orders',
      dependencies: { 'mkdev-register': 'file:./vendor/mkdev-register' },
    });
    expect(readFileSync(join(service, 'src/config.ts'), 'utf8')).toContain(
      "const DEFAULT_ROUTE_PATH = '/orders'",
    );
    expect(readFileSync(join(service, 'vendor/mkdev-register/index.js'), 'utf8')).not.toContain(
      'sourceMappingURL',
    );

    const yaml = readFileSync(join(dir, 'mkdev.yaml'), 'utf8');
    // Created with exactly what `mkdev init` writes, then the service.
    expect(yaml.startsWith(projectFileTemplate(sanitizeProjectName(basename(dir))).trimEnd())).toBe(true);
    const stack = await loadStack({ cwd: dir, env: {} });
    const spec = stack.services.orders;
    expect(spec?.build).toEqual({
      context: service,
      dockerfile: 'Dockerfile',
      args: { BASE_IMAGE: 'node:24-bookworm-slim' },
    });
    expect(spec?.env).toMatchObject({
      SERVICE_NAME: 'orders',
      PORT: '8080',
      ROUTE_PATH: '/orders',
      KONG_ADMIN_URL: 'http://kong:8001',
      CONSUL_URL: 'http://consul:8500',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://traces:4318',
      OTEL_SERVICE_NAME: 'orders',
    });
    expect(spec?.env.RABBITMQ_URL).toBe(
      `amqp://mkdev:${stack.services.rabbitmq?.env.RABBITMQ_DEFAULT_PASS}@rabbitmq:5672`,
    );
    expect(spec?.dependsOn).toEqual({ kong: 'ready', consul: 'ready', rabbitmq: 'ready' });
    expect(readyProbes(spec?.ready)).toEqual([
      expect.objectContaining({ kind: 'http', port: 8080, path: '/readyz' }),
      { kind: 'kong_route', service: 'kong', port: 8000, path: '/orders/healthz', status: 200 },
    ]);
    expect(spec?.ports).toEqual([{ target: 8080, published: 0, hostIp: '127.0.0.1', protocol: 'tcp' }]);
    // It registers itself; the registrator must not race it for the same ID.
    expect(spec?.register).toBeUndefined();
  });

  it('a Python service with its path and port, its base image mapped by the image map', async () => {
    const dir = project();
    writeFileSync(
      join(dir, 'images.yaml'),
      'images:\n  python:3.13-slim-trixie: mkdev-offline/python:3.13\n',
    );
    newService({ projectDir: dir, name: 'users', language: 'python', routePath: '/api/users', port: 9000 });
    const service = join(dir, 'services', 'users');
    const files = listFiles(service);
    for (const f of [
      'Dockerfile',
      'README.md',
      'main.py',
      'mkdev_register.py',
      'requirements.txt',
      'tests/test_config.py',
    ]) {
      expect(files).toContain(f);
    }
    expect(files.some((f) => f.startsWith('vendor/'))).toBe(false);
    for (const f of files) expect(readFileSync(join(service, f), 'utf8'), f).not.toMatch(PLACEHOLDER);
    expect(readFileSync(join(service, 'config.py'), 'utf8')).toContain('DEFAULT_PORT = "9000"');
    const stack = await loadStack({ cwd: dir, env: {}, images: 'images.yaml' });
    expect(stack.services.users?.build?.args).toEqual({ BASE_IMAGE: 'mkdev-offline/python:3.13' });
    expect(stack.services.users?.env).toMatchObject({ PORT: '9000', ROUTE_PATH: '/api/users' });
    expect(readyProbes(stack.services.users?.ready)).toEqual([
      expect.objectContaining({ port: 9000 }),
      expect.objectContaining({ kind: 'kong_route', path: '/api/users/healthz' }),
    ]);
    // MKDEV_PYTHON_IMAGE picks another base per machine.
    const other = await loadStack({ cwd: dir, env: { MKDEV_PYTHON_IMAGE: 'my/python:3.13' } });
    expect(other.services.users?.build?.args).toEqual({ BASE_IMAGE: 'my/python:3.13' });
  });

  it('a Go service: the register package vendored beside it, two image args, rebuild-on-edit rules', async () => {
    const dir = project();
    writeFileSync(
      join(dir, 'images.yaml'),
      'images:\n  golang:1.27-trixie: mkdev-offline/golang:1.27\n  debian:trixie-slim: mkdev-offline/debian:trixie\n',
    );
    const result = newService({ projectDir: dir, name: 'billing', language: 'go', port: 9000 });
    expect(result).toMatchObject({ language: 'go', routePath: '/billing', port: 9000 });
    const service = join(dir, 'services', 'billing');
    const files = listFiles(service);
    for (const f of [
      'Dockerfile',
      '.dockerignore',
      'README.md',
      'go.mod',
      'go.sum',
      'main.go',
      'config_test.go',
      'integration_test.go',
      'mkdev-register/go.mod',
      'mkdev-register/kong.go',
      'mkdev-register/consul.go',
      'mkdev-register/retry.go',
    ]) {
      expect(files).toContain(f);
    }
    // The package's own tests stay in mkdev (as the TS library's do); the service's go.mod replaces it.
    expect(files.filter((f) => f.startsWith('mkdev-register/') && f.endsWith('_test.go'))).toEqual([]);
    for (const f of files) expect(readFileSync(join(service, f), 'utf8'), f).not.toMatch(PLACEHOLDER);
    const goMod = readFileSync(join(service, 'go.mod'), 'utf8');
    expect(goMod).toMatch(/^module billing$/m);
    expect(goMod).toContain('github.com/rabbitmq/amqp091-go v1.10.0');
    expect(goMod).toContain('replace mkdev/register => ./mkdev-register');
    expect(readFileSync(join(service, 'mkdev-register/go.mod'), 'utf8')).toMatch(
      /^\/\/ Vendored from mkdev \S+ by 'mkdev new-service'\.\n[\s\S]*^module mkdev\/register$/m,
    );
    expect(readFileSync(join(service, 'config.go'), 'utf8')).toContain('defaultPort      = "9000"');

    const stack = await loadStack({ cwd: dir, env: {} });
    const spec = stack.services.billing;
    expect(spec?.build?.args).toEqual({
      BUILD_IMAGE: 'golang:1.27-trixie',
      BASE_IMAGE: 'debian:trixie-slim',
    });
    expect(spec?.env).toMatchObject({ SERVICE_NAME: 'billing', PORT: '9000', ROUTE_PATH: '/billing' });
    expect(readyProbes(spec?.ready)).toEqual([
      expect.objectContaining({ kind: 'http', port: 9000, path: '/readyz' }),
      expect.objectContaining({ kind: 'kong_route', path: '/billing/healthz' }),
    ]);
    expect(spec?.register).toBeUndefined();
    // A .go edit rebuilds (Go compiles); a test file does not; go.mod and go.sum do.
    expect(spec?.watch).toEqual([
      { path: service, action: 'rebuild', include: ['*.go'], ignore: ['*_test.go'] },
      { path: join(service, 'go.mod'), action: 'rebuild', include: [], ignore: [] },
      { path: join(service, 'go.sum'), action: 'rebuild', include: [], ignore: [] },
    ]);
    // Both images go through the image map; each has its variable.
    const mapped = await loadStack({ cwd: dir, env: {}, images: 'images.yaml' });
    expect(mapped.services.billing?.build?.args).toEqual({
      BUILD_IMAGE: 'mkdev-offline/golang:1.27',
      BASE_IMAGE: 'mkdev-offline/debian:trixie',
    });
    const other = await loadStack({
      cwd: dir,
      env: { MKDEV_GO_IMAGE: 'my/golang:1.27', MKDEV_GO_RUNTIME_IMAGE: 'gcr.io/distroless/static-debian13' },
    });
    expect(other.services.billing?.build?.args).toEqual({
      BUILD_IMAGE: 'my/golang:1.27',
      BASE_IMAGE: 'gcr.io/distroless/static-debian13',
    });
  });

  it.each(['ts', 'python', 'go'])("the %s README's title is the service's name", (language) => {
    const dir = project();
    newService({ projectDir: dir, name: 'orders', language });
    expect(readFileSync(join(dir, 'services', 'orders', 'README.md'), 'utf8').split('\n')[0]).toBe(
      '# orders',
    );
  });

  it("keeps an existing mkdev.yaml's comments, order and other services", async () => {
    const original = `# my project, hand-written
name: shop # the project name

images:
  # our mirror
  kong:3.9: mirror.example.com/kong:3.9

services:
  # louder Kong while debugging
  kong:
    env:
      KONG_LOG_LEVEL: debug # temporary
  web:
    image: nginx:1.27 # the front end
# trailing note
`;
    const dir = project({ 'mkdev.yaml': original });
    const result = newService({ projectDir: dir, name: 'orders' });
    expect(result.createdProjectFile).toBe(false);
    const updated = readFileSync(join(dir, 'mkdev.yaml'), 'utf8');
    for (const line of original.split('\n')) expect(updated).toContain(line);
    expect(updated.indexOf('  web:')).toBeLessThan(updated.indexOf('  orders:'));
    expect(updated).toContain('      args: { BASE_IMAGE: "${MKDEV_NODE_IMAGE:-node:24-bookworm-slim}" }');
    newService({ projectDir: dir, name: 'users', language: 'python' });
    const stack = await loadStack({ cwd: dir, env: {} });
    expect(Object.keys(stack.services)).toEqual(expect.arrayContaining(['web', 'orders', 'users', 'kong']));
    expect(stack.services.kong?.env.KONG_LOG_LEVEL).toBe('debug');
  });

  it('next to a services/ that is a symlink inside the project', () => {
    const dir = project();
    mkdirSync(join(dir, 'apps'));
    symlinkSync(join(dir, 'apps'), join(dir, 'services'));
    newService({ projectDir: dir, name: 'orders', language: 'python' });
    expect(readdirSync(join(dir, 'apps'))).toEqual(['orders']);
  });
});
