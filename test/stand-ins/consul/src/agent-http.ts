// /v1/agent/*: self, members, services, checks, service and check (de)registration, TTL updates.

import { aggregateStatus, type CheckStatus, type ServiceState } from './catalog.ts';
import { agentServiceJson, checkJson, nodeMeta } from './catalog-json.ts';
import { type HttpContext, requireMethod } from './http-context.ts';
import { decodeJsonBody, HttpError, readBody, sendJson } from './http-util.ts';
import { handleMaintenance } from './maintenance.ts';
import { decodeCheckRegistration, decodeRegistration, field } from './service-definition.ts';

function member(ctx: HttpContext): Record<string, unknown> {
  const { node, consulService } = ctx.state.catalog;
  return {
    Name: node.name,
    Addr: node.address,
    Port: 8301,
    Tags: {
      acls: '0',
      build: `${node.version}:stand-in`,
      dc: node.datacenter,
      ft_fs: '1',
      ft_si: '1',
      id: node.id,
      port: String(ctx.state.opts.serverPort),
      raft_vsn: '3',
      role: consulService ? 'consul' : 'node',
      segment: '',
      vsn: '2',
      vsn_max: '3',
      vsn_min: '2',
      wan_join_port: '8302',
    },
    Status: 1,
    ProtocolMin: 1,
    ProtocolMax: 5,
    ProtocolCur: 2,
    DelegateMin: 2,
    DelegateMax: 5,
    DelegateCur: 4,
  };
}

function selfJson(ctx: HttpContext): Record<string, unknown> {
  const { opts } = ctx.state;
  const { node } = ctx.state.catalog;
  return {
    Config: {
      Datacenter: node.datacenter,
      PrimaryDatacenter: node.datacenter,
      NodeName: node.name,
      NodeID: node.id,
      Partition: '',
      Revision: 'stand-in',
      Server: opts.server,
      Version: node.version,
      BuildDate: '2024-10-29T19:04:05Z',
    },
    DebugConfig: {
      Bootstrap: opts.bootstrap,
      BootstrapExpect: opts.bootstrapExpect,
      ClientAddrs: [opts.clientAddr],
      DataDir: opts.dataDir ?? '',
      Datacenter: node.datacenter,
      DevMode: opts.dev,
      DNSDomain: `${opts.domain}.`,
      DNSOnlyPassing: opts.onlyPassing,
      DNSRecursors: opts.recursors,
      DNSUDPAnswerLimit: opts.udpAnswerLimit,
      HTTPPort: opts.httpPort,
      DNSPort: opts.dnsPort,
      NodeName: node.name,
      ServerMode: opts.server,
      UIConfig: { Enabled: opts.ui },
    },
    Coord: { Vec: [0, 0, 0, 0, 0, 0, 0, 0], Error: 1.5, Adjustment: 0, Height: 0.00001 },
    Member: member(ctx),
    Stats: {},
    Meta: nodeMeta(node),
  };
}

const TTL_VERBS: Record<string, CheckStatus> = { pass: 'passing', warn: 'warning', fail: 'critical' };
const STATUS_CODE: Record<string, number> = { passing: 200, warning: 429 };

/** GET /v1/agent/health/service/{id,name}/<x>: 200 passing, 429 warning, 503 otherwise (404 unknown). */
function agentHealth(ctx: HttpContext, by: string, key: string): void {
  const cat = ctx.state.catalog;
  const textPlain = (ctx.req.headers.accept ?? '').startsWith('text/plain') || ctx.q.get('format') === 'text';
  const info = (s: ServiceState) => {
    const checks = [...cat.ownChecks(''), ...cat.ownChecks(s.def.id)];
    const status = aggregateStatus(checks);
    return {
      status,
      code: STATUS_CODE[status] ?? 503,
      body: {
        AggregatedStatus: status,
        Service: agentServiceJson(cat, s),
        Checks: checks.map((c) => checkJson(cat, c, true)),
      },
    };
  };
  let code: number;
  let status: string;
  let body: unknown;
  if (by === 'id') {
    const s = cat.services.get(key);
    if (s) ({ code, status, body } = info(s));
    else {
      code = 404;
      status = `ServiceId ${key} not found`;
      body = { AggregatedStatus: 'critical', Service: null, Checks: null };
    }
  } else {
    code = 404;
    status = `ServiceName ${key} Not Found`;
    const list = [...cat.services.values()].filter((s) => s.def.name === key).map(info);
    for (const i of list) {
      if (code === 404 || code < i.code) {
        code = i.code;
        status = i.status;
      }
    }
    body = list.map((i) => i.body);
  }
  if (textPlain) {
    ctx.res.writeHead(code, { 'Content-Type': 'text/plain' }).end(status);
    return;
  }
  sendJson(ctx.res, code, body, ctx.pretty);
}

export async function handleAgent(ctx: HttpContext, path: string): Promise<boolean> {
  const { state } = ctx;
  const cat = state.catalog;
  const rest = path.slice('/v1/agent/'.length);
  const [head = '', ...tail] = rest.split('/');
  const arg = decodeURIComponent(tail.slice(1).join('/'));
  const sub = tail[0] ?? '';

  if (handleMaintenance(ctx, rest)) return true;
  if (rest === 'self') {
    requireMethod(ctx, 'GET');
    sendJson(ctx.res, 200, selfJson(ctx), ctx.pretty);
  } else if (rest === 'members') {
    requireMethod(ctx, 'GET');
    sendJson(ctx.res, 200, [member(ctx)], ctx.pretty);
  } else if (rest === 'services') {
    requireMethod(ctx, 'GET');
    const out: Record<string, unknown> = {};
    for (const s of [...cat.services.values()].sort((a, b) => (a.def.id < b.def.id ? -1 : 1))) {
      out[s.def.id] = agentServiceJson(cat, s);
    }
    sendJson(ctx.res, 200, out, ctx.pretty);
  } else if (rest === 'checks') {
    requireMethod(ctx, 'GET');
    const out: Record<string, unknown> = {};
    for (const c of [...cat.checks.values()]) out[c.def.checkId] = checkJson(cat, c, true);
    sendJson(ctx.res, 200, out, ctx.pretty);
  } else if (head === 'health' && sub === 'service' && (tail[1] === 'id' || tail[1] === 'name')) {
    requireMethod(ctx, 'GET');
    const key = decodeURIComponent(tail.slice(2).join('/'));
    if (!key) throw new HttpError(400, tail[1] === 'id' ? 'Missing serviceID' : 'Missing service Name');
    agentHealth(ctx, tail[1], key);
  } else if (rest === 'service/register') {
    requireMethod(ctx, 'PUT');
    const body = decodeJsonBody(await readBody(ctx.req));
    const reg = decodeRegistration(body, state.log, state.opts.enableScriptChecks);
    const replace = ctx.q.get('replace-existing-checks');
    cat.registerService(reg.service, reg.checks, replace === '' || replace === 'true');
    state.checks.sync();
    ctx.res.writeHead(200, { 'Content-Length': 0 }).end();
  } else if (head === 'service' && sub === 'deregister') {
    requireMethod(ctx, 'PUT');
    if (!cat.deregisterService(arg)) {
      // vetServiceUpdateWithAuthorizer answers before RemoveService: a NotFoundError, so 404.
      throw new HttpError(404, `Unknown service ${JSON.stringify(arg)}`);
    }
    state.checks.sync();
    ctx.res.writeHead(200, { 'Content-Length': 0 }).end();
  } else if (head === 'service' && tail.length >= 1 && sub !== 'maintenance') {
    requireMethod(ctx, 'GET');
    const id = decodeURIComponent(tail.join('/'));
    const s = cat.services.get(id);
    if (!s) throw new HttpError(404, `unknown service ID: ${id}`);
    sendJson(
      ctx.res,
      200,
      { ...agentServiceJson(cat, s), ContentHash: String(s.modifyIndex.toString(16).padStart(16, '0')) },
      ctx.pretty,
    );
  } else if (rest === 'check/register') {
    requireMethod(ctx, 'PUT');
    const body = decodeJsonBody(await readBody(ctx.req));
    const def = decodeCheckRegistration(body, state.log, state.opts.enableScriptChecks);
    if (def.serviceId && !cat.services.has(def.serviceId)) {
      throw new HttpError(404, `ServiceID ${JSON.stringify(def.serviceId)} does not exist`);
    }
    cat.addCheck(def);
    state.checks.sync();
    ctx.res.writeHead(200, { 'Content-Length': 0 }).end();
  } else if (head === 'check' && sub === 'deregister') {
    requireMethod(ctx, 'PUT');
    // vetCheckUpdateWithAuthorizer's plain error: a 500, as in Consul.
    if (!cat.removeCheck(arg)) throw new HttpError(500, `Unknown check ${JSON.stringify(arg)}`);
    state.checks.sync();
    ctx.res.writeHead(200, { 'Content-Length': 0 }).end();
  } else if (head === 'check' && (sub in TTL_VERBS || sub === 'update')) {
    requireMethod(ctx, 'PUT');
    let status = TTL_VERBS[sub];
    let output = ctx.q.get('note') ?? '';
    if (sub === 'update') {
      const decoded = decodeJsonBody(await readBody(ctx.req));
      if (decoded === undefined) throw new HttpError(400, 'Request decode failed: EOF');
      const body = (decoded ?? {}) as Record<string, unknown>;
      const s = String(field(body, 'Status') ?? '');
      if (!['passing', 'warning', 'critical'].includes(s))
        throw new HttpError(400, `Invalid check status: '${s}'`);
      status = s as CheckStatus;
      output = String(field(body, 'Output') ?? '');
    }
    // Unknown checks and non-TTL checks are plain errors in Consul, hence 500s.
    if (!cat.checks.has(arg)) throw new HttpError(500, `Unknown check ${JSON.stringify(arg)}`);
    if (!state.checks.updateTtl(arg, status ?? 'critical', output.slice(0, 4096))) {
      throw new HttpError(500, `CheckID ${JSON.stringify(arg)} does not have associated TTL`);
    }
    ctx.res.writeHead(200, { 'Content-Length': 0 }).end();
  } else {
    return false;
  }
  return true;
}
