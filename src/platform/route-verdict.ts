// What `mkdev routes --check` (and the dashboard's "try it") concluded from one request through the
// gateway: which hop the answer blames. One union, one formatter; the printed text is what
// docs/kong-dns.md lists. No imports: the dashboard's page bundles this file.

export type RouteVerdict =
  /** The service answered (any status below 500). */
  | { readonly kind: 'reached' }
  /** The service answered 500 or more itself. */
  | { readonly kind: 'service-error'; readonly status: number }
  | { readonly kind: 'no-route' }
  | { readonly kind: 'route-without-service' }
  | { readonly kind: 'no-healthy-target' }
  /** The discovery service knows no healthy instance of the name (or not the name). */
  | { readonly kind: 'no-healthy-instance' }
  | { readonly kind: 'dns-failed'; readonly message: string }
  | { readonly kind: 'upstream-failed' }
  | { readonly kind: 'upstream-timed-out' }
  | { readonly kind: 'gateway-error'; readonly message: string }
  | { readonly kind: 'gateway-answered'; readonly status: number; readonly message: string }
  | { readonly kind: 'proxy-unreachable'; readonly message: string };

/** The hop a verdict blames: the route map draws that link failing. */
export type BlamedHop = 'none' | 'service' | 'route' | 'upstream' | 'discovery' | 'gateway';

export function blamedHop(verdict: RouteVerdict): BlamedHop {
  switch (verdict.kind) {
    case 'reached':
      return 'none';
    case 'service-error':
    case 'upstream-failed':
    case 'upstream-timed-out':
      return 'service';
    case 'no-route':
    case 'route-without-service':
      return 'route';
    case 'no-healthy-target':
      return 'upstream';
    case 'no-healthy-instance':
    case 'dns-failed':
      return 'discovery';
    case 'gateway-error':
    case 'gateway-answered':
    case 'proxy-unreachable':
      return 'gateway';
  }
}

export const verdictOk = (verdict: RouteVerdict): boolean => verdict.kind === 'reached';

export function formatVerdict(verdict: RouteVerdict): string {
  switch (verdict.kind) {
    case 'reached':
      return 'ok: reached the service';
    case 'service-error':
      return `service answered ${verdict.status}`;
    case 'no-route':
      return 'kong: no route matched';
    case 'route-without-service':
      return 'kong: the route has no service';
    case 'no-healthy-target':
      return 'kong -> upstream: no healthy target';
    case 'no-healthy-instance':
      return 'kong -> consul: no healthy instance resolved';
    case 'dns-failed':
      return `kong -> consul: DNS lookup failed (${verdict.message})`;
    case 'upstream-failed':
      return 'kong -> service: upstream failed';
    case 'upstream-timed-out':
      return 'kong -> service: upstream timed out';
    case 'gateway-error':
      return `kong: internal error (${verdict.message}; see 'mkdev logs kong')`;
    case 'gateway-answered':
      return `kong answered ${verdict.status}: ${verdict.message}`;
    case 'proxy-unreachable':
      return `kong proxy unreachable: ${verdict.message}`;
  }
}
