// The agent's resolved settings, merged from config files and command-line flags (flags win).

export interface AgentOptions {
  dev: boolean;
  server: boolean;
  bootstrap: boolean;
  bootstrapExpect: number;
  dataDir: string | undefined;
  nodeName: string | undefined;
  datacenter: string;
  domain: string;
  clientAddr: string;
  bindAddr: string | undefined;
  advertiseAddr: string | undefined;
  httpPort: number;
  dnsPort: number;
  serverPort: number;
  recursors: string[];
  ui: boolean;
  onlyPassing: boolean;
  udpAnswerLimit: number;
  leaveOnTerminate: boolean | undefined;
  skipLeaveOnInterrupt: boolean | undefined;
  enableScriptChecks: boolean;
  /** `performance.raft_multiplier`: scales raft's timeouts (DefaultRaftMultiplier 5; dev mode 1). */
  raftMultiplier: number | undefined;
  /** Stand-in only: a fixed election delay (ms) for tests; undefined = raft's own timing (election.ts). */
  electionDelayMs: number | undefined;
  /** Stand-in only: how long after an agent API change the catalog, health API and DNS show it (ms). */
  antiEntropyDelayMs: number;
}

export function defaultOptions(): AgentOptions {
  return {
    dev: false,
    server: false,
    bootstrap: false,
    bootstrapExpect: 0,
    dataDir: undefined,
    nodeName: undefined,
    datacenter: 'dc1',
    domain: 'consul',
    clientAddr: '127.0.0.1',
    bindAddr: undefined,
    advertiseAddr: undefined,
    httpPort: 8500,
    dnsPort: 8600,
    serverPort: 8300,
    recursors: [],
    ui: false,
    onlyPassing: false,
    udpAnswerLimit: 3,
    leaveOnTerminate: undefined,
    skipLeaveOnInterrupt: undefined,
    enableScriptChecks: false,
    raftMultiplier: undefined,
    electionDelayMs: undefined,
    antiEntropyDelayMs: 100,
  };
}

export class ConfigError extends Error {}

/** The same checks Consul's config builder makes for the settings the stand-in supports. */
export function validateOptions(o: AgentOptions): void {
  if (o.dev) {
    o.server = true;
    o.ui = true;
    o.bootstrap = true;
    o.bindAddr ??= '127.0.0.1';
    return;
  }
  if (!o.dataDir) throw new ConfigError('data_dir cannot be empty');
  if (o.bootstrapExpect > 0 && !o.server)
    throw new ConfigError("'bootstrap_expect > 0' requires 'server = true'");
  if (o.bootstrapExpect > 0 && o.bootstrap) {
    throw new ConfigError("'bootstrap_expect > 0' and 'bootstrap = true' are mutually exclusive");
  }
  if (o.bootstrap && !o.server) throw new ConfigError("'bootstrap = true' requires 'server = true'");
  if (o.bootstrapExpect < 0) throw new ConfigError('bootstrap_expect cannot be negative');
  if (o.raftMultiplier !== undefined && (o.raftMultiplier < 1 || o.raftMultiplier > 10))
    throw new ConfigError(
      `performance.raft_multiplier cannot be ${o.raftMultiplier}. Must be between 1 and 10`,
    );
}

/** A single server elects itself only when bootstrapping alone; otherwise it waits for peers forever. */
export function canElectItself(o: AgentOptions): boolean {
  return o.server && (o.dev || o.bootstrap || o.bootstrapExpect === 1);
}
