// /v1/catalog/* and /v1/health/* read endpoints (all blocking-query capable).

import type { CheckState, ServiceState } from './catalog.ts';
import {
  catalogServiceJson,
  catalogServicesJson,
  checkJson,
  healthServiceJson,
  nodeJson,
  nodeMeta,
} from './catalog-json.ts';
import { type HttpContext, requireMethod, serveRead } from './http-context.ts';
import { HttpError } from './http-util.ts';

function checkDc(ctx: HttpContext): void {
  if (ctx.q.has('filter')) {
    throw new HttpError(
      400,
      'Failed to create boolean expression evaluator: the Consul stand-in does not support ?filter',
    );
  }
}

function withTags(list: ServiceState[], q: URLSearchParams): ServiceState[] {
  const tags = q.getAll('tag').map((t) => t.toLowerCase());
  return list.filter((s) => tags.every((t) => s.def.tags.some((x) => x.toLowerCase() === t)));
}

const VALID_STATES = new Set(['any', 'passing', 'warning', 'critical']);
const GO_TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const GO_FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

/** HealthServiceNodes: `?passing` alone filters; a value is read with Go's strconv.ParseBool. */
function passingParam(q: URLSearchParams): boolean {
  const value = q.get('passing');
  if (value === null) return false;
  if (value === '' || GO_TRUE.has(value)) return true;
  if (GO_FALSE.has(value)) return false;
  throw new HttpError(400, 'Invalid value for ?passing');
}

/** Returns true when the path was a catalog/health endpoint. */
export function handleCatalogHealth(ctx: HttpContext, path: string): boolean {
  // The servers' catalog, not the agent's local state: it shows a change once anti-entropy synced it.
  const cat = ctx.state.catalog.synced;
  const m = /^\/v1\/(catalog|health)\/([a-z-]+)(?:\/(.*))?$/.exec(path);
  if (!m) return false;
  const [, group, op, arg] = m;
  const route = `${group}/${op}`;
  const one = (a: string | undefined): string => {
    if (!a) throw new HttpError(400, `Missing ${op === 'node' ? 'node' : 'service'} name`);
    return decodeURIComponent(a);
  };
  switch (route) {
    case 'catalog/datacenters':
      requireMethod(ctx, 'GET');
      ctx.res
        .writeHead(200, { 'Content-Type': 'application/json' })
        .end(JSON.stringify([ctx.state.opts.datacenter]));
      return true;
    case 'catalog/services':
      requireMethod(ctx, 'GET');
      checkDc(ctx);
      serveRead(ctx, () => ({ index: cat.tableIndex, body: catalogServicesJson(cat) }));
      return true;
    case 'catalog/service': {
      requireMethod(ctx, 'GET');
      checkDc(ctx);
      const name = one(arg);
      serveRead(ctx, () => ({
        index: cat.serviceIndex(name),
        body: withTags(cat.instancesOf(name), ctx.q).map((s) => catalogServiceJson(cat, s)),
      }));
      return true;
    }
    case 'catalog/nodes':
      requireMethod(ctx, 'GET');
      checkDc(ctx);
      serveRead(ctx, () => ({ index: cat.tableIndex, body: [nodeJson(cat)] }));
      return true;
    case 'catalog/node': {
      requireMethod(ctx, 'GET');
      checkDc(ctx);
      const name = one(arg);
      serveRead(ctx, () => {
        if (name !== cat.node.name) return { index: cat.tableIndex, body: null };
        const services: Record<string, unknown> = {};
        for (const s of cat.allServices()) services[s.def.id] = healthServiceJson(s);
        return {
          index: cat.tableIndex,
          body: { Node: { ...nodeJson(cat), Meta: nodeMeta(cat.node) }, Services: services },
        };
      });
      return true;
    }
    case 'health/service': {
      requireMethod(ctx, 'GET');
      checkDc(ctx);
      const name = one(arg);
      const passing = passingParam(ctx.q);
      serveRead(ctx, () => {
        let list = withTags(cat.instancesOf(name), ctx.q);
        if (passing) list = list.filter((s) => cat.checksForInstance(s).every((c) => c.status === 'passing'));
        return {
          index: cat.serviceIndex(name),
          body: list.map((s) => ({
            Node: nodeJson(cat),
            Service: healthServiceJson(s),
            Checks: cat.checksForInstance(s).map((c) => checkJson(cat, c)),
          })),
        };
      });
      return true;
    }
    case 'health/checks': {
      requireMethod(ctx, 'GET');
      checkDc(ctx);
      const name = one(arg);
      serveRead(ctx, () => {
        const ids = new Set(cat.instancesOf(name).map((s) => s.def.id));
        const list = [...cat.checks.values()].filter((c) => ids.has(c.def.serviceId));
        return { index: cat.serviceIndex(name), body: list.map((c) => checkJson(cat, c)) };
      });
      return true;
    }
    case 'health/node': {
      requireMethod(ctx, 'GET');
      checkDc(ctx);
      const name = one(arg);
      serveRead(ctx, () => ({
        index: cat.tableIndex,
        body: name === cat.node.name ? cat.allChecks().map((c) => checkJson(cat, c)) : [],
      }));
      return true;
    }
    case 'health/state': {
      requireMethod(ctx, 'GET');
      checkDc(ctx);
      const state = arg ?? '';
      if (!VALID_STATES.has(state)) throw new HttpError(400, 'Invalid check state');
      serveRead(ctx, () => ({
        index: cat.tableIndex,
        body: cat
          .allChecks()
          .filter((c: CheckState) => state === 'any' || c.status === state)
          .map((c) => checkJson(cat, c)),
      }));
      return true;
    }
    default:
      return false;
  }
}
