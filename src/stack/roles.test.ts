// Which service plays which role: said once in the stack file (`role:`), found by role, never by name.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RENAMED, renamedStackYaml } from '../../test/support/renamed-stack.ts';
import { UserError } from '../errors.ts';
import { loadStack } from './load-stack.ts';
import { describeRole, endpointPort, ROLE_NAMES, serviceWithRole } from './roles.ts';

function project(mkdevYaml?: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'mkdev-roles-'));
  if (mkdevYaml !== undefined) writeFileSync(join(dir, 'mkdev.yaml'), mkdevYaml);
  return dir;
}

const load = (dir: string) => loadStack({ cwd: dir, env: {}, deferSecrets: true });

async function loadError(dir: string): Promise<UserError> {
  const error = await load(dir).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(UserError);
  return error as UserError;
}

const SERVICE = `    image: example/orders:1
    ready:
      kong_route: { path: /orders/healthz }
`;

describe('platform roles', () => {
  it('the default stack gives each role to one service', async () => {
    const stack = await load(project());
    const holders = Object.fromEntries(ROLE_NAMES.map((r) => [r, serviceWithRole(stack, r)?.name]));
    expect(holders).toEqual({
      gateway: 'kong',
      discovery: 'consul',
      broker: 'rabbitmq',
      database: 'postgres',
      metrics: 'prometheus',
      traces: 'traces',
      registrator: 'registrator',
    });
    expect(stack.services['kong-migrations']?.role).toBeUndefined();
    expect(describeRole(stack, 'gateway')).toBe('the gateway (kong)');
    expect(endpointPort('gateway', 'admin')).toBe(8001);
  });

  it('a renamed stack keeps its roles, and probes and actions default to the role holders', async () => {
    const dir = project(`${renamedStackYaml('renamed')}  orders:\n${SERVICE}`);
    const stack = await load(dir);
    expect(serviceWithRole(stack, 'gateway')?.name).toBe(RENAMED.kong);
    expect(serviceWithRole(stack, 'discovery')?.name).toBe(RENAMED.consul);
    expect(serviceWithRole(stack, 'broker')?.name).toBe(RENAMED.rabbitmq);
    expect(serviceWithRole(stack, 'database')?.name).toBe(RENAMED.postgres);
    expect(serviceWithRole(stack, 'metrics')?.name).toBe(RENAMED.prometheus);
    expect(Object.keys(stack.services)).not.toContain('kong');
    expect(stack.services.orders?.ready?.probes).toContainEqual({
      kind: 'kong_route',
      service: 'gateway',
      port: 8000,
      path: '/orders/healthz',
      status: 200,
    });
  });

  it('a consul_kv_put without a service goes to the discovery service', async () => {
    const dir = project(
      'services:\n  seed:\n    image: x\n    one_shot: true\n    after_completed:\n      - consul_kv_put: { key: seeded, value: "1" }\n',
    );
    const stack = await load(dir);
    expect(stack.services.seed?.afterCompleted).toEqual([
      { kind: 'consul_kv_put', service: 'consul', port: 8500, key: 'seeded', value: '1' },
    ]);
  });

  it('an unknown role is an error at its line, naming the roles there are', async () => {
    const error = await loadError(project('services:\n  kong:\n    role: proxy\n'));
    expect(error.message).toMatch(/^mkdev\.yaml:3:\d+: /);
    expect(error.message).toContain(
      "services.kong.role: got 'proxy'; allowed: gateway, discovery, broker, database, metrics, traces, registrator",
    );
  });

  it('a role given twice is an error at both places, with the way out', async () => {
    const error = await loadError(project('services:\n  edge:\n    image: kong:3.9\n    role: gateway\n'));
    expect(error.message).toMatch(
      /^mkdev\.yaml:4:\d+: role 'gateway' is given to both 'kong' \(stacks\/microkubes\.yaml:\d+:\d+\) and 'edge'$/,
    );
    expect(error.hint).toContain('kong: { disabled: true }');
  });

  it('a role moves when the default holder is disabled', async () => {
    const stack = await load(
      project('services:\n  kong: { disabled: true }\n  edge:\n    image: kong:3.9\n    role: gateway\n'),
    );
    expect(serviceWithRole(stack, 'gateway')?.name).toBe('edge');
  });

  it('a kong_route probe with no gateway to go through says so', async () => {
    const error = await loadError(project(`extends: none\nservices:\n  orders:\n${SERVICE}`));
    expect(error.message).toMatch(
      /^mkdev\.yaml:3:\d+: 'orders' has ready\.kong_route without a service, and no service has role gateway$/,
    );
    expect(error.hint).toContain('role: gateway');
  });
});
