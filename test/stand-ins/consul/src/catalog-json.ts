// JSON shapes of the catalog, health and agent endpoints (field names and order as Consul 1.20 emits).

import type { CatalogView, CheckState, NodeInfo, ServiceState } from './catalog-view.ts';
import { formatGoDuration } from './durations.ts';

export function nodeMeta(node: NodeInfo): Record<string, string> {
  return { 'consul-network-segment': '', 'consul-version': node.version };
}

function taggedNodeAddresses(node: NodeInfo): Record<string, string> {
  return { lan: node.address, lan_ipv4: node.address, wan: node.address, wan_ipv4: node.address };
}

export function nodeJson(cat: CatalogView): Record<string, unknown> {
  const n = cat.node;
  return {
    ID: n.id,
    Node: n.name,
    Address: n.address,
    Datacenter: n.datacenter,
    TaggedAddresses: taggedNodeAddresses(n),
    Meta: nodeMeta(n),
    CreateIndex: cat.serfHealth.createIndex,
    ModifyIndex: cat.serfHealth.createIndex,
  };
}

export function checkJson(cat: CatalogView, c: CheckState, forAgent = false): Record<string, unknown> {
  const svc = c.def.serviceId ? (cat.services.get(c.def.serviceId) ?? undefined) : undefined;
  const interval = c.def.intervalMs ? formatGoDuration(c.def.intervalMs) : '';
  const timeout = c.def.type !== 'ttl' && c.def.timeoutMs ? formatGoDuration(c.def.timeoutMs) : '';
  return {
    Node: cat.node.name,
    CheckID: c.def.checkId,
    Name: c.def.name,
    Status: c.status,
    Notes: c.def.notes,
    Output: c.output,
    ServiceID: c.def.serviceId,
    ServiceName: svc?.def.name ?? '',
    ServiceTags: svc?.def.tags ?? [],
    Type: c.def.type,
    Interval: interval,
    Timeout: timeout,
    ExposedPort: 0,
    Definition: {},
    CreateIndex: forAgent ? 0 : c.createIndex,
    ModifyIndex: forAgent ? 0 : c.modifyIndex,
  };
}

export function agentServiceJson(cat: CatalogView, s: ServiceState): Record<string, unknown> {
  const d = s.def;
  return {
    ID: d.id,
    Service: d.name,
    Tags: d.tags,
    Meta: d.meta,
    Port: d.port,
    Address: d.address,
    ...(Object.keys(d.taggedAddresses).length ? { TaggedAddresses: d.taggedAddresses } : {}),
    Weights: d.weights,
    EnableTagOverride: d.enableTagOverride,
    Datacenter: cat.node.datacenter,
  };
}

export function healthServiceJson(s: ServiceState): Record<string, unknown> {
  const d = s.def;
  return {
    ID: d.id,
    Service: d.name,
    Tags: d.tags,
    Address: d.address,
    TaggedAddresses: d.taggedAddresses,
    Meta: d.meta,
    Port: d.port,
    Weights: d.weights,
    EnableTagOverride: d.enableTagOverride,
    Proxy: { Mode: '', MeshGateway: {}, Expose: {} },
    Connect: {},
    PeerName: '',
    CreateIndex: s.createIndex,
    ModifyIndex: s.modifyIndex,
  };
}

export function catalogServiceJson(cat: CatalogView, s: ServiceState): Record<string, unknown> {
  const n = cat.node;
  const d = s.def;
  return {
    ID: n.id,
    Node: n.name,
    Address: n.address,
    Datacenter: n.datacenter,
    TaggedAddresses: taggedNodeAddresses(n),
    NodeMeta: nodeMeta(n),
    ServiceKind: '',
    ServiceID: d.id,
    ServiceName: d.name,
    ServiceTags: d.tags,
    ServiceAddress: d.address,
    ServiceTaggedAddresses: d.taggedAddresses,
    ServiceWeights: d.weights,
    ServiceMeta: d.meta,
    ServicePort: d.port,
    ServiceSocketPath: '',
    ServiceEnableTagOverride: d.enableTagOverride,
    ServiceProxy: { Mode: '', MeshGateway: {}, Expose: {} },
    ServiceConnect: {},
    ServiceLocality: null,
    CreateIndex: s.createIndex,
    ModifyIndex: s.modifyIndex,
  };
}

/** GET /v1/catalog/services: name -> union of tags. */
export function catalogServicesJson(cat: CatalogView): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const s of cat.allServices().sort((a, b) => (a.def.name < b.def.name ? -1 : 1))) {
    const tags = new Set(out[s.def.name] ?? []);
    for (const t of s.def.tags) tags.add(t);
    out[s.def.name] = [...tags];
  }
  return out;
}
