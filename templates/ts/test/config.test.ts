import { describe, expect, it } from 'vitest';
import { ConfigError, localPath, parseConfig } from '../src/config.ts';

describe('parseConfig', () => {
  it('reads the environment', () => {
    const config = parseConfig(
      {
        SERVICE_NAME: 'orders',
        PORT: '9000',
        ROUTE_PATH: '/shop/orders/',
        KONG_ADMIN_URL: 'http://k:8001',
        CONSUL_URL: 'http://c:8500',
        RABBITMQ_URL: 'amqp://u:p@r:5672',
      },
      'abc123',
    );
    expect(config).toEqual({
      serviceName: 'orders',
      instanceId: 'orders-abc123',
      port: 9000,
      routePath: '/shop/orders',
      kongAdminUrl: 'http://k:8001',
      consulUrl: 'http://c:8500',
      rabbitmqUrl: 'amqp://u:p@r:5672',
      verificationQueue: 'orders-verifications',
      register: true,
    });
  });

  it('defaults to the stack service names', () => {
    const config = parseConfig({ SERVICE_NAME: 'orders', PORT: '8080', ROUTE_PATH: '/orders' }, 'h');
    expect(config.kongAdminUrl).toBe('http://kong:8001');
    expect(config.consulUrl).toBe('http://consul:8500');
    expect(config.rabbitmqUrl).toBe('amqp://guest:guest@rabbitmq:5672');
  });

  it('can run without registering', () => {
    expect(
      parseConfig({ SERVICE_NAME: 'a', PORT: '1', ROUTE_PATH: '/a', REGISTER: 'false' }, 'h').register,
    ).toBe(false);
  });

  it('refuses bad values with the variable named', () => {
    const ok = { SERVICE_NAME: 'a', PORT: '8080', ROUTE_PATH: '/a' };
    expect(() => parseConfig({ ...ok, PORT: '70000' }, 'h')).toThrow(ConfigError);
    expect(() => parseConfig({ ...ok, PORT: 'x' }, 'h')).toThrow(/PORT/);
    expect(() => parseConfig({ ...ok, ROUTE_PATH: 'a' }, 'h')).toThrow(/ROUTE_PATH/);
    expect(() => parseConfig({ ...ok, SERVICE_NAME: 'Bad_Name' }, 'h')).toThrow(/SERVICE_NAME/);
    expect(() => parseConfig({ ...ok, REGISTER: 'maybe' }, 'h')).toThrow(/REGISTER/);
  });
});

describe('localPath', () => {
  it('drops the route prefix when present, so both forms are answered', () => {
    expect(localPath('/orders', '/orders')).toBe('/');
    expect(localPath('/orders', '/orders/verifications')).toBe('/verifications');
    expect(localPath('/orders', '/verifications')).toBe('/verifications');
    expect(localPath('/orders', '/ordersx')).toBe('/ordersx');
    expect(localPath('/', '/healthz')).toBe('/healthz');
  });
});
