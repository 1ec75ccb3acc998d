// PUT /v1/agent/maintenance and /v1/agent/service/maintenance/<id>: a critical check of type
// "maintenance" (_node_maintenance / _service_maintenance:<id>) takes the node or service out of DNS
// and ?passing results, as Consul's Enable{Node,Service}Maintenance do.

import type { CheckDef } from './catalog.ts';
import { type HttpContext, requireMethod } from './http-context.ts';
import { HttpError } from './http-util.ts';

const NODE_MAINT = '_node_maintenance';
const SERVICE_MAINT_PREFIX = '_service_maintenance:';
const DEFAULT_SERVICE_REASON =
  'Maintenance mode is enabled for this service, but no reason was provided. This is a default message.';
const DEFAULT_NODE_REASON =
  'Maintenance mode is enabled for this node, but no reason was provided. This is a default message.';

function parseEnable(q: URLSearchParams): boolean {
  const v = q.get('enable');
  if (v === null || v === '') throw new HttpError(400, 'Missing value for enable');
  if (!/^(1|0|t|f|T|F|true|false|TRUE|FALSE|True|False)$/.test(v)) {
    throw new HttpError(400, `Invalid value for enable: ${JSON.stringify(v)}`);
  }
  return v === 'true' || v === '1' || v === 't' || v === 'T' || v === 'TRUE' || v === 'True';
}

function maintenanceCheck(checkId: string, name: string, notes: string, serviceId: string): CheckDef {
  return { checkId, name, notes, serviceId, type: 'maintenance', initialStatus: 'critical' };
}

/** Handles the two maintenance endpoints; returns false for other paths. */
export function handleMaintenance(ctx: HttpContext, rest: string): boolean {
  const { catalog, log } = ctx.state;
  if (rest === 'maintenance') {
    requireMethod(ctx, 'PUT');
    const enable = parseEnable(ctx.q);
    if (enable && !catalog.checks.has(NODE_MAINT)) {
      const reason = ctx.q.get('reason') || DEFAULT_NODE_REASON;
      catalog.addCheck(maintenanceCheck(NODE_MAINT, 'Node Maintenance Mode', reason, ''));
      log.info('agent', 'Node entered maintenance mode');
    } else if (!enable && catalog.removeCheck(NODE_MAINT)) {
      log.info('agent', 'Node left maintenance mode');
    }
    ctx.res.writeHead(200, { 'Content-Length': 0 }).end();
    return true;
  }
  if (!rest.startsWith('service/maintenance/')) return false;
  requireMethod(ctx, 'PUT');
  const id = decodeURIComponent(rest.slice('service/maintenance/'.length));
  if (id === '') throw new HttpError(400, 'Missing service ID');
  const enable = parseEnable(ctx.q);
  const svc = catalog.services.get(id);
  if (!svc) throw new HttpError(404, `No service registered with ID ${JSON.stringify(id)}`);
  const checkId = `${SERVICE_MAINT_PREFIX}${id}`;
  if (enable && !catalog.checks.has(checkId)) {
    const reason = ctx.q.get('reason') || DEFAULT_SERVICE_REASON;
    catalog.addCheck(maintenanceCheck(checkId, 'Service Maintenance Mode', reason, id));
    log.info('agent', 'Service entered maintenance mode', { service: id });
  } else if (!enable && catalog.removeCheck(checkId)) {
    log.info('agent', 'Service left maintenance mode', { service: id });
  }
  ctx.res.writeHead(200, { 'Content-Length': 0 }).end();
  return true;
}
