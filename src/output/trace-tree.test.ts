import { describe, expect, it } from 'vitest';
import type { TraceDetail, TraceSpan } from '../platform/traces.ts';
import { renderTrace } from './trace-tree.ts';

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
function span(
  id: string,
  parent: string,
  service: string,
  name: string,
  start: number,
  end: number,
  extra: Partial<TraceSpan> = {},
): TraceSpan {
  return {
    traceId: 'a'.repeat(32),
    spanId: id.padStart(16, '0'),
    parentSpanId: parent ? parent.padStart(16, '0') : '',
    name,
    kind: 1,
    startMs: T0 + start,
    endMs: T0 + end,
    attributes: {},
    events: [],
    status: { code: 0, message: '' },
    service,
    ...extra,
  };
}

describe('renderTrace', () => {
  it('prints the trace as a tree: service, name, duration, offset; errors said with their message', () => {
    const trace: TraceDetail = {
      summary: {
        traceId: 'a'.repeat(32),
        seq: 1,
        startMs: T0,
        durationMs: 20,
        name: 'kong',
        method: 'POST',
        route: '/orders',
        status: 503,
        services: ['kong', 'orders'],
        spanCount: 5,
        error: true,
        receivedAt: T0,
      },
      spans: [
        span('1', '', 'kong', 'kong', 0, 20),
        span('2', '1', 'kong', 'kong.router', 0.5, 0.6),
        span('3', '1', 'kong', 'kong.dns', 1, 3, {
          status: { code: 2, message: '' },
          events: [
            {
              name: 'exception',
              timeMs: T0 + 2,
              attributes: { 'exception.message': 'dns server error: 3 name error' },
            },
          ],
        }),
        span('4', '1', 'kong', 'kong.balancer', 4, 19),
        span('5', '4', 'orders', 'POST', 5, 18),
      ],
    };
    const text = renderTrace(trace, false);
    expect(text.split('\n')).toEqual([
      `${new Date(T0).toTimeString().slice(0, 8)}.000  POST /orders  503 ERROR  20.0 ms  kong -> orders  trace ${'a'.repeat(32)}`,
      '  kong kong  20.0 ms  +0.0 ms',
      '  ├─ kong kong.router  0.1 ms  +0.5 ms',
      '  ├─ kong kong.dns  2.0 ms  +1.0 ms  ERROR: dns server error: 3 name error',
      '  └─ kong kong.balancer  15.0 ms  +4.0 ms',
      '     └─ orders POST  13.0 ms  +5.0 ms',
    ]);
  });
});
