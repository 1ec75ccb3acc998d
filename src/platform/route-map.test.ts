// `mkdev routes --check` tells Kong's own answers from the service's by Kong's error body and the
// request id Kong sets, not by the status code (bodies and headers as Kong 3.9 sends them:
// test/stand-ins/kong/PARITY.md, "Error pages" and "Kong's own answers before proxying").
import { describe, expect, it } from 'vitest';
import { kongOwnMessage, type ProxyAnswer, verdictFor as verdictOf } from './route-map.ts';
import { blamedHop, formatVerdict } from './route-verdict.ts';

/** The printed verdict, as `mkdev routes --check` shows it (docs/kong-dns.md lists them). */
const verdictFor = (answer: ProxyAnswer) => formatVerdict(verdictOf(answer));

const ID = '4f1c0e2a9b6d4c8e8f3a2b1c0d9e8f7a';
/** Kong's JSON error template (kong/tools/http.lua), with the request id it also puts in a header. */
const kong = (status: number, message: string, extra: Record<string, string> = {}): ProxyAnswer => ({
  status,
  headers: { 'x-kong-request-id': ID, server: 'kong/3.9.1', ...extra },
  body: `{\n  "message":"${message}",\n  "request_id":"${ID}"\n}`,
});
/** What the service sent, proxied: Kong's headers around the service's body. */
const service = (status: number, body: string): ProxyAnswer => ({
  status,
  headers: { 'x-kong-request-id': ID, via: '1.1 kong/3.9.1', 'x-kong-upstream-latency': '3' },
  body,
});

describe('routes --check verdicts', () => {
  it("Kong's answers before proxying blame the hop Kong names", () => {
    expect(verdictFor(kong(404, 'no Route matched with those values'))).toBe('kong: no route matched');
    expect(verdictFor(kong(503, 'name resolution failed'))).toBe(
      'kong -> consul: no healthy instance resolved',
    );
    expect(verdictFor(kong(500, 'dns server error: 2 server failure'))).toBe(
      'kong -> consul: DNS lookup failed (dns server error: 2 server failure)',
    );
    expect(verdictFor(kong(503, 'failure to get a peer from the ring-balancer'))).toBe(
      'kong -> upstream: no healthy target',
    );
    expect(verdictFor(kong(503, 'no Service found with those values'))).toBe(
      'kong: the route has no service',
    );
  });

  it("Kong's error pages after it set out to proxy (a proxied response's headers) are still Kong's", () => {
    const proxied = { via: '1.1 kong/3.9.1', 'x-kong-upstream-latency': '12' };
    expect(verdictFor(kong(502, 'An invalid response was received from the upstream server', proxied))).toBe(
      'kong -> service: upstream failed',
    );
    expect(verdictFor(kong(504, 'The upstream server is timing out', proxied))).toBe(
      'kong -> service: upstream timed out',
    );
    // a retry that found nothing in Kong's DNS cache: Kong's 500, not the service's
    expect(verdictFor(kong(500, 'An unexpected error occurred', proxied))).toBe(
      "kong: internal error (An unexpected error occurred; see 'mkdev logs kong')",
    );
    expect(verdictFor(kong(503, 'The upstream server is currently unavailable', proxied))).toBe(
      'kong -> consul: no healthy instance resolved',
    );
  });

  it("the service's own answers, whatever their status or shape, are the service's", () => {
    expect(verdictFor(service(200, '{"service":"orders"}'))).toBe('ok: reached the service');
    expect(verdictFor(service(404, 'not here'))).toBe('ok: reached the service');
    expect(verdictFor(service(500, 'broken'))).toBe('service answered 500');
    // a 503 with a JSON message: the service's, since the request id is not Kong's
    expect(verdictFor(service(503, '{"message":"name resolution failed","request_id":"other"}'))).toBe(
      'service answered 503',
    );
    // Kong's text/plain error page is not taken for Kong's without the JSON it was asked for
    expect(
      kongOwnMessage({ status: 502, headers: { 'x-kong-request-id': ID }, body: 'x\nrequest_id: y\n' }),
    ).toBe(undefined);
  });
});

describe('route verdicts as data', () => {
  it('name the hop they blame, which the route map draws failing', () => {
    expect(blamedHop(verdictOf(kong(404, 'no Route matched with those values')))).toBe('route');
    expect(blamedHop(verdictOf(kong(503, 'name resolution failed')))).toBe('discovery');
    expect(blamedHop(verdictOf(kong(503, 'failure to get a peer from the ring-balancer')))).toBe('upstream');
    expect(blamedHop(verdictOf(kong(502, 'An invalid response was received from the upstream server')))).toBe(
      'service',
    );
    expect(blamedHop(verdictOf(service(200, 'ok')))).toBe('none');
    expect(verdictOf(service(500, 'broken'))).toEqual({ kind: 'service-error', status: 500 });
  });

  it('print the same text for an unreachable proxy and an unknown answer of Kong', () => {
    expect(formatVerdict({ kind: 'proxy-unreachable', message: 'connect ECONNREFUSED' })).toBe(
      'kong proxy unreachable: connect ECONNREFUSED',
    );
    expect(verdictFor(kong(429, 'API rate limit exceeded'))).toBe(
      'kong answered 429: API rate limit exceeded',
    );
  });
});
