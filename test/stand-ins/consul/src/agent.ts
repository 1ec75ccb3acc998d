// Wires the agent together: catalog, KV, checks, persistence, the HTTP and DNS servers, leader election.

import type { Server } from 'node:http';
import { hostname } from 'node:os';
import { type AgentOptions, canElectItself, validateOptions } from './agent-options.ts';
import { Catalog, type CheckDef } from './catalog.ts';
import { CheckRunner } from './checks.ts';
import { type DnsServers, startDns } from './dns-server.ts';
import { electionDelayMs, fullSyncStaggerMs } from './election.ts';
import { createHttpApi } from './http-api.ts';
import type { AgentState } from './http-context.ts';
import { KvStore } from './kv-store.ts';
import type { Logger } from './log.ts';
import { resolveAdvertise } from './network.ts';
import { loadOrCreateNodeId, Persistence } from './persistence.ts';
import { RaftIndex } from './raft-index.ts';
import { SessionStore } from './session-store.ts';

export const CONSUL_VERSION = '1.20.5';

export interface AgentHandle {
  httpPort: number;
  dnsPort: number;
  state: AgentState;
  stop(): Promise<void>;
}

function banner(o: AgentOptions, nodeId: string, nodeName: string, address: string): string {
  return [
    '==> Starting Consul agent...',
    `              Version: '${CONSUL_VERSION}' (stand-in)`,
    `           Build Date: '2024-10-29 19:04:05 +0000 UTC'`,
    `              Node ID: '${nodeId}'`,
    `            Node name: '${nodeName}'`,
    `           Datacenter: '${o.datacenter}' (Segment: '<all>')`,
    `               Server: ${o.server} (Bootstrap: ${o.bootstrap || o.bootstrapExpect === 1})`,
    `          Client Addr: [${o.clientAddr}] (HTTP: ${o.httpPort}, HTTPS: -1, gRPC: ${o.dev ? 8502 : -1}, gRPC-TLS: 8503, DNS: ${o.dnsPort})`,
    `         Cluster Addr: ${address} (LAN: 8301, WAN: 8302)`,
    '    Gossip Encryption: false',
    '     Auto-Encrypt-TLS: false',
    '          ACL Enabled: false',
    '   ACL Default Policy: allow',
    '',
    '==> Log data will now stream in as it occurs:',
    '',
  ].join('\n');
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const addr = server.address();
      resolve(typeof addr === 'object' && addr ? addr.port : port);
    });
  });
}

export async function startAgent(opts: AgentOptions, log: Logger): Promise<AgentHandle> {
  validateOptions(opts);
  const address =
    opts.dev && !opts.advertiseAddr
      ? (opts.bindAddr ?? '127.0.0.1')
      : resolveAdvertise(opts.bindAddr, opts.advertiseAddr);
  const persist = opts.dev || !opts.dataDir ? undefined : new Persistence(opts.dataDir);
  const nodeId = loadOrCreateNodeId(opts.dev ? undefined : opts.dataDir);
  const nodeName = opts.nodeName ?? hostname();
  log.raw(banner(opts, nodeId, nodeName, address));

  const raft = new RaftIndex();
  const onWrite = (): void => persist?.changed();
  const kv = new KvStore(raft, onWrite);
  const previous = persist?.load(raft, kv);
  const node = { id: nodeId, name: nodeName, address, datacenter: opts.datacenter, version: CONSUL_VERSION };
  let leader = false;
  const catalog = new Catalog(node, opts.server, raft, log, onWrite, {
    delayMs: opts.antiEntropyDelayMs,
    ready: () => leader,
  });
  const checks = new CheckRunner(catalog, (service, check) =>
    log.info('agent', 'Check for service has been critical for too long; deregistered service', {
      service,
      check,
    }),
  );
  const sessions = new SessionStore(raft, kv);
  const state: AgentState = {
    opts,
    log,
    raft,
    kv,
    catalog,
    checks,
    sessions,
    hasLeader: () => leader,
    startedAt: Date.now(),
  };
  // As Consul's loadChecks: a check restored from the data dir starts critical whatever its definition's
  // Status, "to avoid placing potentially unhealthy services into the active pool", until it first runs.
  const restored = (c: CheckDef): CheckDef => ({ ...c, initialStatus: 'critical' });
  for (const s of previous?.services ?? []) catalog.registerService(s.service, s.checks.map(restored), true);
  for (const c of previous?.checks ?? []) catalog.addCheck(restored(c));
  // What a restarted server's state store holds before any new sync.
  if (previous) catalog.syncNow();
  persist?.attach(raft, kv, catalog);
  checks.sync();

  const http = createHttpApi(state);
  const hosts = opts.clientAddr.split(/\s+/).filter(Boolean);
  const host = hosts[0] ?? '127.0.0.1';
  const httpPort = await listen(http, opts.httpPort, host);
  log.info('agent', 'Started HTTP server', { address: `${host}:${httpPort}`, network: 'tcp' });
  let dns: DnsServers;
  try {
    dns = await startDns(state, host, opts.dnsPort);
  } catch (err) {
    http.close();
    throw err;
  }
  const dnsPort = dns.udp.address().port;
  log.info('agent', 'Started DNS server', { address: `${host}:${dnsPort}`, network: 'udp' });
  log.info('agent', 'Started DNS server', { address: `${host}:${dnsPort}`, network: 'tcp' });
  log.info('agent', 'Consul agent running!');

  let election: NodeJS.Timeout | undefined;
  if (canElectItself(opts)) {
    election = setTimeout(() => {
      log.info('agent.server.raft', 'entering leader state', {
        leader: `Node at ${address}:${opts.serverPort} [Leader]`,
      });
      log.info('agent.server', 'cluster leadership acquired');
      leader = true;
      raft.next();
      raft.notify();
      log.info('agent.server', 'New leader elected', { payload: nodeName });
      log.info('agent', 'Synced node info');
      // Changes made before the election (e.g. early registrations) reach the catalog with the
      // full sync the new leader's event triggers.
      catalog.scheduleSync(opts.electionDelayMs === undefined ? fullSyncStaggerMs() : undefined);
    }, electionDelayMs(opts));
  } else {
    log.info('agent.server', 'Waiting for peers', { bootstrap_expect: opts.bootstrapExpect });
  }

  return {
    httpPort,
    dnsPort,
    state,
    stop: async () => {
      clearTimeout(election);
      checks.stop();
      catalog.stop();
      sessions.stop();
      persist?.flush();
      await dns.close();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
