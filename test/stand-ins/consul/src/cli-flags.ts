// Go "flag" package semantics for `consul agent`: -x, --x, -x=v, -x v; unknown flags are fatal.

import type { AgentOptions } from './agent-options.ts';

export class FlagError extends Error {}

type Apply = (o: AgentOptions, v: string) => void;
interface FlagDef {
  bool: boolean;
  kind?: 'int';
  apply: Apply;
}

const ignore: Apply = () => {};
const b = (apply: Apply): FlagDef => ({ bool: true, apply });
const s = (apply: Apply): FlagDef => ({ bool: false, apply });
const n = (apply: Apply): FlagDef => ({ bool: false, kind: 'int', apply });
const truthy = (v: string): boolean => v === 'true' || v === '1' || v === 't' || v === 'T' || v === 'TRUE';

/** Flags of `consul agent` 1.20. Those the stand-in does not model are accepted and ignored. */
const FLAGS: Record<string, FlagDef> = {
  dev: b((o, v) => {
    o.dev = truthy(v);
  }),
  server: b((o, v) => {
    o.server = truthy(v);
  }),
  bootstrap: b((o, v) => {
    o.bootstrap = truthy(v);
  }),
  'bootstrap-expect': n((o, v) => {
    o.bootstrapExpect = Number(v);
  }),
  ui: b((o, v) => {
    o.ui = truthy(v);
  }),
  'data-dir': s((o, v) => {
    o.dataDir = v;
  }),
  node: s((o, v) => {
    o.nodeName = v;
  }),
  datacenter: s((o, v) => {
    o.datacenter = v;
  }),
  domain: s((o, v) => {
    o.domain = v.replace(/\.$/, '');
  }),
  client: s((o, v) => {
    o.clientAddr = v;
  }),
  bind: s((o, v) => {
    o.bindAddr = v;
  }),
  advertise: s((o, v) => {
    o.advertiseAddr = v;
  }),
  'http-port': n((o, v) => {
    o.httpPort = Number(v);
  }),
  'dns-port': n((o, v) => {
    o.dnsPort = Number(v);
  }),
  'server-port': n((o, v) => {
    o.serverPort = Number(v);
  }),
  recursor: s((o, v) => {
    o.recursors.push(v);
  }),
  'enable-script-checks': b((o, v) => {
    o.enableScriptChecks = truthy(v);
  }),
  'config-dir': s(ignore),
  'config-file': s(ignore),
  'config-format': s(ignore),
  'log-level': s(ignore),
  'log-json': b(ignore),
  'log-file': s(ignore),
  'node-id': s(ignore),
  'node-meta': s(ignore),
  'alt-domain': s(ignore),
  'advertise-wan': s(ignore),
  'serf-lan-bind': s(ignore),
  'serf-wan-bind': s(ignore),
  'serf-lan-port': n(ignore),
  'serf-wan-port': n(ignore),
  'grpc-port': n(ignore),
  'grpc-tls-port': n(ignore),
  'https-port': n(ignore),
  'retry-join': s(ignore),
  'retry-join-wan': s(ignore),
  'retry-interval': s(ignore),
  'retry-max': n(ignore),
  join: s(ignore),
  'join-wan': s(ignore),
  rejoin: b(ignore),
  encrypt: s(ignore),
  'pid-file': s(ignore),
  syslog: b(ignore),
  'disable-host-node-id': b(ignore),
  'disable-keyring-file': b(ignore),
  'enable-local-script-checks': b(ignore),
  'default-query-time': s(ignore),
  'max-query-time': s(ignore),
  'ui-dir': s(ignore),
  'ui-content-path': s(ignore),
  'non-voting-server': b(ignore),
  'raft-protocol': n(ignore),
  protocol: n(ignore),
  segment: s(ignore),
  hcl: s(ignore),
};

export interface ParsedFlags {
  apply(o: AgentOptions): void;
  configDirs: string[];
  configFiles: string[];
  rest: string[];
}

/** Parses agent flags; throws FlagError with Go's exact wording. */
export function parseAgentFlags(args: string[]): ParsedFlags {
  const applied: Array<(o: AgentOptions) => void> = [];
  const configDirs: string[] = [];
  const configFiles: string[] = [];
  let i = 0;
  for (; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (arg === '--') {
      i++;
      break;
    }
    if (!arg.startsWith('-') || arg === '-') break;
    const body = arg.replace(/^--?/, '');
    const eq = body.indexOf('=');
    const name = eq >= 0 ? body.slice(0, eq) : body;
    const def = FLAGS[name];
    if (!def) throw new FlagError(`flag provided but not defined: -${name}`);
    let value: string;
    if (eq >= 0) value = body.slice(eq + 1);
    else if (def.bool) value = 'true';
    else {
      const next = args[i + 1];
      if (next === undefined) throw new FlagError(`flag needs an argument: -${name}`);
      value = next;
      i++;
    }
    if (def.bool && !/^(1|0|t|f|T|F|true|false|TRUE|FALSE|True|False)$/.test(value)) {
      throw new FlagError(`invalid boolean value ${JSON.stringify(value)} for -${name}: parse error`);
    }
    if (def.kind === 'int' && !/^[+-]?\d+$/.test(value)) {
      throw new FlagError(`invalid value ${JSON.stringify(value)} for flag -${name}: parse error`);
    }
    if (name === 'config-dir') configDirs.push(value);
    if (name === 'config-file') configFiles.push(value);
    const v = value;
    applied.push((o) => def.apply(o, v));
  }
  return {
    apply: (o) => {
      for (const f of applied) f(o);
    },
    configDirs,
    configFiles,
    rest: args.slice(i),
  };
}

export const AGENT_USAGE = `Usage: consul agent [options]

  Starts the Consul agent and runs until an interrupt is received. The
  agent represents a single node in a cluster.
`;
