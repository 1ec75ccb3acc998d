import { describe, expect, it } from 'vitest';
import { rewriteForHost } from './host-env.ts';

const ports: Record<string, number> = {
  'rabbitmq:5672': 35672,
  'consul:8500': 38500,
  'kong:8001': 38001,
  'traces:4318': 34318,
};
const published = (s: string, p: number) => ports[`${s}:${p}`];
const services = ['rabbitmq', 'consul', 'kong', 'postgres', 'traces', 'orders'];

describe('rewriteForHost', () => {
  it('rewrites URLs naming containers to their published loopback ports', () => {
    const { env, unresolved } = rewriteForHost(
      {
        RABBITMQ_URL: 'amqp://mkdev:s3cret@rabbitmq:5672',
        CONSUL_URL: 'http://consul:8500',
        KONG_ADMIN_URL: 'http://kong:8001/services?x=1',
        PLAIN: 'consul:8500',
        LIST: 'kong:8001,consul:8500',
        ROUTE_PATH: '/orders',
        PORT: '8080',
        // The trace receiver's OTLP endpoint, as new-service writes it: a host process joins the same traces.
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://traces:4318',
        OTEL_SERVICE_NAME: 'orders',
      },
      services,
      published,
      '127.0.0.1',
    );
    expect(env).toEqual({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:34318',
      OTEL_SERVICE_NAME: 'orders',
      RABBITMQ_URL: 'amqp://mkdev:s3cret@127.0.0.1:35672',
      CONSUL_URL: 'http://127.0.0.1:38500',
      KONG_ADMIN_URL: 'http://127.0.0.1:38001/services?x=1',
      PLAIN: '127.0.0.1:38500',
      LIST: '127.0.0.1:38001,127.0.0.1:38500',
      ROUTE_PATH: '/orders',
      PORT: '8080',
    });
    expect(unresolved).toEqual([]);
  });

  it('leaves other hosts alone and reports stack services whose port is not published', () => {
    const { env, unresolved } = rewriteForHost(
      { A: 'http://example.com:8500', B: 'http://myconsul:8500', C: 'postgres://u:p@postgres:5433/db' },
      services,
      published,
      '127.0.0.1',
    );
    expect(env).toEqual({
      A: 'http://example.com:8500',
      B: 'http://myconsul:8500',
      C: 'postgres://u:p@postgres:5433/db',
    });
    expect(unresolved).toEqual(['postgres:5433']);
  });
});
