// The platform's URLs come from the role holders' published ports, whatever the services are called.
import { describe, expect, it } from 'vitest';
import { stackOf } from '../../test/support/stack-of.ts';
import type { ObservedContainer, ObservedState } from '../engine/observed-state.ts';
import { brokerCredentials, platformUrls, roleUrl } from './role-urls.ts';

const running = (service: string, ports: Record<string, number>, state = 'running'): ObservedContainer => ({
  id: `id-${service}`,
  name: `demo-${service}-1`,
  service,
  replica: 1,
  configHash: '',
  state,
  exitCode: undefined,
  oneShot: false,
  labels: {},
  ports,
});

const observed = (...containers: ObservedContainer[]): ObservedState => ({
  containers,
  networkExists: true,
  volumes: new Set(),
  images: new Set(),
  builtFor: new Map(),
});

const stack = stackOf('demo', {
  edge: { image: 'kong:3.9', role: 'gateway' },
  registry: { image: 'hashicorp/consul:1.20', role: 'discovery' },
  bus: {
    image: 'rabbitmq:4.3-management',
    role: 'broker',
    env: { RABBITMQ_DEFAULT_USER: 'u', RABBITMQ_DEFAULT_PASS: 'p' },
  },
  kong: { image: 'kong:3.9' },
});

describe('platform URLs by role', () => {
  it("reach each role's endpoint through its holder's published port, not a service called kong", () => {
    const state = observed(
      running('edge', { '8000/tcp': 32000, '8001/tcp': 32001 }),
      running('registry', { '8500/tcp': 32500 }),
      running('kong', { '8000/tcp': 40000, '8001/tcp': 40001 }),
    );
    expect(platformUrls(stack, state, 'localhost')).toEqual({
      gatewayProxy: 'http://localhost:32000',
      gatewayAdmin: 'http://localhost:32001',
      discovery: 'http://localhost:32500',
    });
  });

  it('have none for a role whose holder is not running or publishes no such port', () => {
    const state = observed(
      running('edge', { '8000/tcp': 32000 }, 'exited'),
      running('bus', { '5672/tcp': 35672 }),
    );
    expect(roleUrl(stack, state, 'localhost', 'gateway', 'proxy')).toBeUndefined();
    expect(roleUrl(stack, state, 'localhost', 'broker', 'management')).toBeUndefined();
    expect(roleUrl(stack, state, 'localhost', 'metrics', 'http')).toBeUndefined();
  });

  it("take the broker's credentials from its holder's environment", () => {
    expect(brokerCredentials(stack)).toEqual({ user: 'u', password: 'p' });
  });
});
