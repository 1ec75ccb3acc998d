// Answers questions under the Consul domain: services (plain, tag, RFC 2782), nodes, addr names.

import dnsPacket from 'dns-packet';
import { aggregateStatus, effectiveAddress, type ServiceState } from './catalog.ts';
import {
  type Answer,
  addressRecord,
  hexToIp,
  ipToHex,
  type Packet,
  RCODE,
  reply,
  shuffle,
  soaRecord,
} from './dns-records.ts';
import type { AgentState } from './http-context.ts';

const TYPE_LABELS = new Set(['service', 'node', 'addr', 'query', 'connect', 'ingress', 'virtual']);

interface Parsed {
  kind: string;
  parts: string[];
  dc: string | undefined;
}

/** Splits "<parts>.<kind>[.<dc>[.dc]]" (domain already removed). */
function parse(labels: string[]): Parsed | undefined {
  for (let i = labels.length - 1; i >= 0 && i >= labels.length - 3; i--) {
    const label = labels[i] ?? '';
    if (!TYPE_LABELS.has(label)) continue;
    const after = labels.slice(i + 1);
    if (after.length > 2 || (after.length === 2 && after[1] !== 'dc')) continue;
    return { kind: label, parts: labels.slice(0, i), dc: after[0] };
  }
  return undefined;
}

function healthy(state: AgentState, s: ServiceState): boolean {
  const checks = state.catalog.synced.checksForInstance(s);
  if (state.opts.onlyPassing) return checks.every((c) => c.status === 'passing');
  return checks.every((c) => c.status !== 'critical' && c.status !== 'maintenance');
}

/** Consul's findWeight: Weights.Warning for an instance whose checks aggregate to warning, else Weights.Passing. */
function srvWeight(state: AgentState, s: ServiceState): number {
  const status = aggregateStatus(state.catalog.synced.checksForInstance(s));
  return status === 'warning' ? s.def.weights.Warning : s.def.weights.Passing;
}

function serviceAnswers(
  state: AgentState,
  resp: Packet,
  qname: string,
  qtype: string,
  name: string,
  tag?: string,
): boolean {
  const { catalog, opts } = state;
  const domain = opts.domain;
  const node = catalog.node;
  const instances = shuffle(
    catalog.synced
      .instancesOf(name)
      .filter((s) => (tag === undefined || s.def.tags.includes(tag)) && healthy(state, s)),
  );
  if (instances.length === 0) return false;
  const seen = new Set<string>();
  for (const s of instances) {
    const address = effectiveAddress(node, s.def);
    if (qtype === 'SRV') {
      const explicit =
        s.def.address !== '' && s.def.address !== node.address && addressRecord('x', s.def.address);
      const target = explicit
        ? `${ipToHex(address)}.addr.${node.datacenter}.${domain}`
        : `${node.name}.node.${node.datacenter}.${domain}`;
      const tuple = `${node.name}:${address}:${s.def.port}`;
      if (seen.has(tuple)) continue;
      seen.add(tuple);
      resp.answers?.push({
        type: 'SRV',
        name: qname,
        ttl: 0,
        class: 'IN',
        data: { priority: 1, weight: srvWeight(state, s), port: s.def.port, target },
      });
      const extra = addressRecord(target, address);
      if (extra) resp.additionals?.push(extra);
      continue;
    }
    const rec = addressRecord(qname, address);
    if (!rec) {
      resp.answers?.push({ type: 'CNAME', name: qname, ttl: 0, class: 'IN', data: address });
      continue;
    }
    const wanted = qtype === 'ANY' || qtype === rec.type;
    if (!wanted || seen.has(address)) continue;
    seen.add(address);
    resp.answers?.push(rec);
  }
  return true;
}

/** Builds the response for a name inside the Consul domain. */
export function answerConsulQuestion(state: AgentState, req: Packet, qname: string, qtype: string): Packet {
  const { opts, catalog } = state;
  const domain = opts.domain;
  const ra = opts.recursors.length > 0;
  const resp = reply(req, RCODE.NOERROR, { aa: true, ra });
  const questions = req.questions ?? [];
  resp.questions = questions.map((q) => ({ ...q, name: q.name.toLowerCase() }));
  const nx = (rcode: number = RCODE.NXDOMAIN): Packet => {
    const r = reply(req, rcode, { aa: true, ra });
    r.questions = resp.questions;
    r.authorities = [soaRecord(domain)];
    return r;
  };
  if (qtype === 'SOA' || qtype === 'NS') {
    const nsName = `${catalog.node.name}.node.${catalog.node.datacenter}.${domain}`;
    const ns: Answer = { type: 'NS', name: domain, ttl: 0, class: 'IN', data: nsName };
    if (qtype === 'SOA') {
      resp.answers = [soaRecord(domain)];
      resp.authorities = [ns];
    } else resp.answers = [ns];
    const a = addressRecord(nsName, catalog.node.address);
    if (a) resp.additionals = [a];
    return resp;
  }
  const labels = qname === domain ? [] : qname.slice(0, -(domain.length + 1)).split('.');
  const parsed = parse(labels);
  if (!parsed) return nx();
  if (parsed.dc !== undefined && parsed.dc !== catalog.node.datacenter) return nx();
  const { kind, parts } = parsed;
  let found = false;
  if (kind === 'service') {
    const [a = '', b] = parts;
    if (parts.length === 2 && a.startsWith('_') && b?.startsWith('_')) {
      const proto = b.slice(1);
      found = serviceAnswers(state, resp, qname, qtype, a.slice(1), proto === 'tcp' ? undefined : proto);
    } else if (parts.length === 1) found = serviceAnswers(state, resp, qname, qtype, a);
    else if (parts.length === 2 && b) found = serviceAnswers(state, resp, qname, qtype, b, a);
  } else if (kind === 'node' && parts.length === 1) {
    if (parts[0] === catalog.node.name.toLowerCase()) {
      found = true;
      const rec = addressRecord(qname, catalog.node.address);
      if (rec && (qtype === rec.type || qtype === 'ANY')) resp.answers?.push(rec);
    }
  } else if (kind === 'addr' && parts.length === 1) {
    const ip = hexToIp(parts[0] ?? '');
    if (ip) {
      found = true;
      const rec = addressRecord(qname, ip);
      if (rec && (qtype === rec.type || qtype === 'ANY' || qtype === 'SRV')) resp.answers?.push(rec);
    }
  }
  if (!found) return nx();
  if ((resp.answers?.length ?? 0) === 0 && (resp.additionals?.length ?? 0) === 0) return nx(RCODE.NOERROR);
  return resp;
}

/** Consul's UDP trimming: at most udp_answer_limit answers, then drop until the message fits; no TC bit. */
export function trimForUdp(state: AgentState, req: Packet, resp: Packet): void {
  const edns = (req.additionals ?? []).find((a) => a.type === 'OPT') as
    | { udpPayloadSize?: number }
    | undefined;
  const maxSize = edns ? Math.max(edns.udpPayloadSize ?? 512, 512) : 512;
  const answers = resp.answers ?? [];
  if (!edns && answers.length > state.opts.udpAnswerLimit) answers.length = state.opts.udpAnswerLimit;
  const keep = new Set(
    answers.filter((a) => a.type === 'SRV').map((a) => (a.data as { target: string }).target),
  );
  if (keep.size > 0)
    resp.additionals = (resp.additionals ?? []).filter((a) => a.type === 'OPT' || keep.has(a.name));
  while (answers.length > 1 && dnsPacket.encodingLength(resp) > maxSize) {
    const dropped = answers.pop();
    if (dropped?.type === 'SRV') {
      const target = (dropped.data as { target: string }).target;
      resp.additionals = (resp.additionals ?? []).filter((a) => a.name !== target);
    }
  }
}
