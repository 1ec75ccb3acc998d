import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../errors.ts';
import { loadStack } from './load-stack.ts';

function project(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'mkdev-stack-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

async function loadError(
  dir: string,
  options: Partial<Parameters<typeof loadStack>[0]> = {},
): Promise<UserError> {
  const error = await loadStack({ cwd: dir, env: {}, ...options }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(UserError);
  return error as UserError;
}

describe('loadStack', () => {
  it('loads the default stack with generated secrets, official images and loopback ports', async () => {
    const dir = project();
    const stack = await loadStack({ cwd: dir, project: 'demo', env: {} });
    expect(Object.keys(stack.services)).toEqual([
      'postgres',
      'consul',
      'rabbitmq',
      'kong-migrations',
      'kong',
      'prometheus',
      'traces',
      'registrator',
    ]);
    expect(stack.services.kong?.image).toBe('kong:3.9');
    const password = stack.services.postgres?.env.POSTGRES_PASSWORD ?? '';
    expect(password).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(stack.services.kong?.env.KONG_PG_PASSWORD).toBe(password);
    expect(stack.secrets).toContain(password);
    for (const service of Object.values(stack.services)) {
      for (const port of service.ports) expect(port.hostIp).toBe('127.0.0.1');
    }
    // Secrets persist: a second load hands out the same password, and the file is private.
    const again = await loadStack({ cwd: dir, project: 'demo', env: {} });
    expect(again.services.postgres?.env.POSTGRES_PASSWORD).toBe(password);
    expect(statSync(join(dir, '.mkdev', 'secrets.json')).mode & 0o777).toBe(0o600);
  });

  it('layers mkdev.yaml on the default stack: env merges, ports replace, services add', async () => {
    const dir = project({
      'mkdev.yaml':
        'name: shop\nservices:\n  kong:\n    env:\n      KONG_LOG_LEVEL: debug\n    ports: ["127.0.0.1:18000:8000"]\n  orders:\n    image: example/orders:1\n    depends_on: [kong]\n',
    });
    const stack = await loadStack({ cwd: dir, env: {} });
    expect(stack.project).toBe('shop');
    expect(stack.services.kong?.env.KONG_LOG_LEVEL).toBe('debug');
    expect(stack.services.kong?.env.KONG_DATABASE).toBe('postgres');
    expect(stack.services.kong?.ports).toEqual([
      { hostIp: '127.0.0.1', published: 18000, target: 8000, protocol: 'tcp' },
    ]);
    expect(stack.services.orders?.dependsOn).toEqual({ kong: 'started' });
  });

  it('maps images: project file, then MKDEV_IMAGES, then --images, later wins', async () => {
    const dir = project({
      'mkdev.yaml': 'images:\n  kong:3.9: from-project/kong\n  postgres:17: from-project/pg\n',
      'env-map.yaml': 'images:\n  postgres:17: from-env/pg\n  consul-x: y\n',
      'flag-map.yaml': 'images:\n  hashicorp/consul:1.20: from-flag/consul\n',
    });
    const stack = await loadStack({
      cwd: dir,
      env: { MKDEV_IMAGES: 'env-map.yaml' },
      images: 'flag-map.yaml',
    });
    expect(stack.services.kong?.image).toBe('from-project/kong');
    expect(stack.services.postgres?.image).toBe('from-env/pg');
    expect(stack.services.consul?.image).toBe('from-flag/consul');
    expect(stack.services.consul?.requestedImage).toBe('hashicorp/consul:1.20');
  });

  it('interpolates ${VAR:-default} from the environment and .env, the environment winning', async () => {
    const dir = project({ '.env': 'MKDEV_KONG_ADMIN_PORT=18001\nMKDEV_CONSUL_PORT=18500\n' });
    const stack = await loadStack({ cwd: dir, env: { MKDEV_CONSUL_PORT: '28500' } });
    expect(stack.services.kong?.ports[1]?.published).toBe(18001);
    expect(stack.services.consul?.ports[0]?.published).toBe(28500);
    expect(stack.services.kong?.ports[0]?.published).toBe(8000);
  });

  it('points at file:line:col and the field for a schema error', async () => {
    const dir = project({ 'mkdev.yaml': 'services:\n  kong:\n    env:\n      A: b\n    portz: [1]\n' });
    const error = await loadError(dir);
    expect(error.message).toBe("mkdev.yaml:5:5: services.kong.portz: unknown field 'portz'");
  });

  it('points at file:line:col for a bad value deep in a list', async () => {
    const dir = project({
      'mkdev.yaml': 'services:\n  api:\n    image: x\n    ports:\n      - 80\n      - "abc:def"\n',
    });
    const error = await loadError(dir);
    expect(error.message).toMatch(
      /^mkdev\.yaml:6:9: services\.api\.ports\[1\]: got 'abc:def'; expected "CONTAINER"/,
    );
  });

  it.each([
    [
      'depends_on:\n      postgres: { condition: healthy }',
      "services.api.depends_on.postgres.condition: got 'healthy'; allowed: started, ready, completed",
    ],
    ['one_shot: "yes"', "services.api.one_shot: got 'yes'; expected true or false"],
    ['replicas: 50', 'services.api.replicas: got 50; expected at most 20'],
    ['volumes: ["data"]', 'services.api.volumes[0]: got \'data\'; expected "SOURCE:/path[:ro]"'],
    ['restart: sometimes', "services.api.restart: got 'sometimes'; allowed: no, always, unless-stopped"],
    [
      'ready: { tcp: { port: 1 }, interval: soon }',
      "services.api.ready.interval: got 'soon'; expected a duration",
    ],
    ['env: { 1X: a }', "services.api.env.1X: name '1X' is not valid: an environment variable name"],
    ['command: 5', 'services.api.command: got 5; expected a string or a list'],
  ])('names the value given and what is allowed: %s', async (line, expected) => {
    const dir = project({ 'mkdev.yaml': `services:\n  api:\n    image: x\n    ${line}\n` });
    const error = await loadError(dir);
    expect(error.message).toContain(expected);
  });

  it('reports YAML syntax errors with their position', async () => {
    const dir = project({ 'mkdev.yaml': 'services:\n  api:\n    image: [unclosed\n' });
    const error = await loadError(dir);
    expect(error.message).toMatch(/^mkdev\.yaml:\d+:\d+: invalid YAML/);
  });

  it('names a missing variable and where it is used', async () => {
    const dir = project({ 'mkdev.yaml': 'services:\n  api:\n    image: example/${TAG}\n' });
    const error = await loadError(dir);
    expect(error.message).toBe('mkdev.yaml:3:12: variable TAG is not set');
    expect(error.hint).toContain('${TAG:-value}');
  });

  it('refuses unknown dependencies and cycles', async () => {
    const unknown = project({ 'mkdev.yaml': 'services:\n  api:\n    image: x\n    depends_on: [nope]\n' });
    expect((await loadError(unknown)).message).toMatch(
      /mkdev\.yaml:2:3: 'api' depends on 'nope', which is not a service/,
    );
    const cycle = project({
      'mkdev.yaml':
        'extends: none\nservices:\n  a:\n    image: x\n    depends_on: [b]\n  b:\n    image: x\n    depends_on: [a]\n',
    });
    expect((await loadError(cycle)).message).toMatch(/^dependency cycle: (a -> b -> a|b -> a -> b)$/);
  });

  it('refuses a cycle through an action, naming it, instead of hanging up', async () => {
    // consul's after_ready flag waits for kv being ready; kv waits for consul being ready.
    const cycle = project({
      'mkdev.yaml': [
        'extends: none',
        'services:',
        '  consul:',
        '    image: x',
        '    after_ready:',
        '      - consul_kv_put: { service: kv, key: k, value: v }',
        '  kv:',
        '    image: x',
        '    depends_on: { consul: { condition: ready } }',
        '',
      ].join('\n'),
    });
    const error = await loadError(cycle);
    expect(error.message).toMatch(/^dependency cycle: (consul -> kv -> consul|kv -> consul -> kv)$/);
    expect(error.hint).toMatch(/after_ready action of 'consul' on 'kv'/);
  });

  it('says which file is missing', async () => {
    const error = await loadError(project(), { file: 'nope.yaml' });
    expect(error.message).toBe('cannot read nope.yaml: no such file');
  });

  it('keeps secrets out of the file unless generated, and reuses them per project', async () => {
    const dir = project();
    await loadStack({ cwd: dir, project: 'one', env: {} });
    await loadStack({ cwd: dir, project: 'two', env: {} });
    const saved = JSON.parse(readFileSync(join(dir, '.mkdev', 'secrets.json'), 'utf8')) as Record<
      string,
      Record<string, string>
    >;
    expect(Object.keys(saved)).toEqual(['one', 'two']);
    expect(saved.one?.['postgres-password']).not.toBe(saved.two?.['postgres-password']);
  });
});
