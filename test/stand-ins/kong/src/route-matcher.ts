// Kong's traditional_compatible router, reduced: hosts (with wildcards), methods, headers, paths
// (prefix, longest first; `~` regex by regex_priority), protocols.
import type { Entity } from './store.ts';

interface CompiledRoute {
  route: Entity;
  service: Entity | null;
  hosts: { exact?: string; re?: RegExp; port?: number }[];
  methods: string[];
  headers: [string, string[]][];
  prefixes: string[];
  regexes: RegExp[];
  protocols: string[];
  weight: number;
  createdAt: number;
}

export interface Match {
  route: Entity;
  service: Entity | null;
  /** The part of the request path the route's path matched (for strip_path). */
  matched: string;
  protocolMismatch: boolean;
}

export interface MatchInput {
  method: string;
  host: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  protocol: 'http' | 'https';
}

function compileHost(h: string): { exact?: string; re?: RegExp; port?: number } {
  const m = /^(.*?)(?::(\d+))?$/.exec(h.toLowerCase());
  const name = m?.[1] ?? h;
  const port = m?.[2] ? Number(m[2]) : undefined;
  if (name.startsWith('*.') || name.endsWith('.*')) {
    const esc = name
      .replace(/[.+?^${}()|[\]\\]/g, '\\$&')
      .replace('\\.*', '\\.[^.]+')
      .replace('*\\.', '.+\\.');
    return { re: new RegExp(`^${esc}$`), port };
  }
  return { exact: name, port };
}

export class RouteMatcher {
  private readonly compiled: CompiledRoute[];

  constructor(routes: Entity[], services: Map<string, Entity>) {
    this.compiled = [];
    for (const route of routes) {
      const sid = (route.service as { id?: string } | null)?.id;
      const service = sid ? (services.get(sid) ?? null) : null;
      if (service && service.enabled === false) continue;
      const paths = (route.paths as string[] | null) ?? [];
      const headers = Object.entries((route.headers as Record<string, string[]> | null) ?? {}).map(
        ([k, v]) =>
          [k.toLowerCase(), (Array.isArray(v) ? v : [v]).map((x) => String(x).toLowerCase())] as [
            string,
            string[],
          ],
      );
      const c: CompiledRoute = {
        route,
        service,
        hosts: ((route.hosts as string[] | null) ?? []).map(compileHost),
        methods: (route.methods as string[] | null) ?? [],
        headers,
        prefixes: paths.filter((p) => !p.startsWith('~')),
        regexes: paths.filter((p) => p.startsWith('~')).map((p) => new RegExp(`^${p.slice(1)}`)),
        protocols: (route.protocols as string[] | null) ?? ['http', 'https'],
        weight: 0,
        createdAt: Number(route.created_at ?? 0),
      };
      c.weight =
        (c.hosts.length > 0 ? 1 : 0) +
        (c.methods.length > 0 ? 1 : 0) +
        (paths.length > 0 ? 1 : 0) +
        (headers.length > 0 ? 1 : 0);
      this.compiled.push(c);
    }
  }

  get size(): number {
    return this.compiled.length;
  }

  match(input: MatchInput): Match | null {
    const hostHeader = input.host.toLowerCase();
    const hm = /^(.*?)(?::(\d+))?$/.exec(hostHeader);
    const host = hm?.[1] ?? hostHeader;
    const port = hm?.[2] ? Number(hm[2]) : undefined;
    let best: { c: CompiledRoute; matched: string; rank: number[] } | null = null;
    for (const c of this.compiled) {
      if (
        c.hosts.length > 0 &&
        !c.hosts.some(
          (h) => (h.exact ? h.exact === host : h.re?.test(host)) && (h.port === undefined || h.port === port),
        )
      )
        continue;
      if (c.methods.length > 0 && !c.methods.includes(input.method.toUpperCase())) continue;
      if (
        c.headers.length > 0 &&
        !c.headers.every(([k, vals]) => {
          const v = input.headers[k];
          const got = (Array.isArray(v) ? v : v === undefined ? [] : [v]).map((x) => x.toLowerCase());
          return got.some((g) => vals.includes(g));
        })
      )
        continue;
      let matched = '';
      let pathRank = [0, 0, 0];
      if (c.prefixes.length > 0 || c.regexes.length > 0) {
        let found = false;
        for (const re of c.regexes) {
          const m = re.exec(input.path);
          if (m) {
            found = true;
            matched = m[0];
            pathRank = [2, Number(c.route.regex_priority ?? 0), 0];
            break;
          }
        }
        if (!found) {
          const p = c.prefixes.filter((x) => input.path.startsWith(x)).sort((a, b) => b.length - a.length)[0];
          if (p === undefined) continue;
          matched = p;
          pathRank = [1, 0, p.length];
        }
      }
      const rank = [c.weight, ...pathRank, -c.createdAt];
      if (!best || compare(rank, best.rank) > 0) best = { c, matched, rank };
    }
    if (!best) return null;
    return {
      route: best.c.route,
      service: best.c.service,
      matched: best.matched,
      protocolMismatch: !best.c.protocols.includes(input.protocol),
    };
  }
}

function compare(a: number[], b: number[]): number {
  for (let i = 0; i < a.length; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** Kong's path_handling v0 (kong/router/utils.lua get_upstream_uri_v0). */
export function upstreamUri(base: string, stripPath: boolean, reqUri: string, matched: string): string {
  const postfix = stripPath ? reqUri.slice(matched.length) : reqUri;
  if (base.endsWith('/')) {
    if (stripPath) {
      if (postfix === '') return base === '/' ? '/' : reqUri.endsWith('/') ? base : base.slice(0, -1);
      if (postfix.startsWith('/')) return base.slice(0, -1) + postfix;
      return base + postfix;
    }
    return base + reqUri.slice(1);
  }
  if (stripPath) {
    if (postfix === '') return reqUri.length > 1 && reqUri.endsWith('/') ? `${base}/` : base;
    if (postfix.startsWith('/')) return base + postfix;
    return `${base}/${postfix}`;
  }
  return reqUri === '/' ? base : base + reqUri;
}
