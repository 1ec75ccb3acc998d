// `consul <command>`: agent, version, members, kv get/put/delete, and Go-style usage errors.

import { CONSUL_VERSION, startAgent } from './agent.ts';
import { type AgentOptions, ConfigError, defaultOptions } from './agent-options.ts';
import { AGENT_USAGE, FlagError, parseAgentFlags } from './cli-flags.ts';
import { loadConfigSources } from './config-files.ts';
import { createLogger, type Logger } from './log.ts';

const COMMANDS = ['agent', 'version', 'members', 'kv', 'leave', 'info'];

const TOP_USAGE = `Usage: consul [--version] [--help] <command> [<args>]

Available commands are:
    agent          Runs a Consul agent
    kv             Interact with the key-value store
    members        Lists the members of a Consul cluster
    version        Prints the Consul version
`;

export interface Io {
  out(text: string): void;
  err(text: string): void;
}

const stdio: Io = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) };

function versionText(): string {
  return `Consul v${CONSUL_VERSION} (stand-in)\nRevision stand-in\nBuild Date 2024-10-29T19:04:05Z\nProtocol 2 spoken by default, understands 2 to 3 (agent will automatically use protocol >2 when speaking to compatible agents)\n\n`;
}

function httpAddr(): string {
  const a = process.env.CONSUL_HTTP_ADDR ?? '127.0.0.1:8500';
  return a.startsWith('http') ? a : `http://${a}`;
}

async function members(io: Io): Promise<number> {
  try {
    const res = await fetch(`${httpAddr()}/v1/agent/members`);
    const list = (await res.json()) as Array<{
      Name: string;
      Addr: string;
      Port: number;
      Tags: Record<string, string>;
    }>;
    io.out('Node  Address  Status  Type  Build  Protocol  DC  Partition  Segment\n');
    for (const m of list) {
      io.out(
        `${m.Name}  ${m.Addr}:${m.Port}  alive  server  ${CONSUL_VERSION}  2  ${m.Tags.dc}  default  <all>\n`,
      );
    }
    return 0;
  } catch (err) {
    io.err(`Error retrieving members: ${(err as Error).message}\n`);
    return 1;
  }
}

async function kvCommand(args: string[], io: Io): Promise<number> {
  const [sub, key = '', value] = args;
  const url = `${httpAddr()}/v1/kv/${key.split('/').map(encodeURIComponent).join('/')}`;
  try {
    if (sub === 'get') {
      const res = await fetch(`${url}?raw`);
      if (res.status === 404) {
        io.err(`Error! No key exists at: ${key}\n`);
        return 1;
      }
      io.out(`${await res.text()}\n`);
      return 0;
    }
    if (sub === 'put') {
      const res = await fetch(url, { method: 'PUT', body: value ?? '' });
      if (!res.ok) throw new Error(await res.text());
      io.out(`Success! Data written to: ${key}\n`);
      return 0;
    }
    if (sub === 'delete') {
      const res = await fetch(url, { method: 'DELETE' });
      if (!res.ok) throw new Error(await res.text());
      io.out(`Success! Deleted key: ${key}\n`);
      return 0;
    }
    io.err('Usage: consul kv <subcommand> [options] [args]\n');
    return 1;
  } catch (err) {
    io.err(`Error! ${(err as Error).message}\n`);
    return 1;
  }
}

/** Parses agent flags and config into options (exported for tests). */
export function buildAgentOptions(args: string[], log: Logger): AgentOptions {
  const flags = parseAgentFlags(args);
  const opts = defaultOptions();
  loadConfigSources(opts, flags.configDirs, flags.configFiles, log);
  flags.apply(opts);
  return opts;
}

async function agent(args: string[], io: Io): Promise<number> {
  const log = createLogger();
  let opts: AgentOptions;
  try {
    opts = buildAgentOptions(args, log);
  } catch (err) {
    if (err instanceof FlagError) {
      io.err(`${err.message}\n${AGENT_USAGE}`);
      return 1;
    }
    if (err instanceof ConfigError) {
      io.err(`==> ${err.message}\n`);
      return 1;
    }
    throw err;
  }
  let handle: Awaited<ReturnType<typeof startAgent>>;
  try {
    handle = await startAgent(opts, log);
  } catch (err) {
    io.err(`==> ${err instanceof ConfigError ? '' : 'Error starting agent: '}${(err as Error).message}\n`);
    return 1;
  }
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  log.info('agent', 'Caught', { signal: signal === 'SIGTERM' ? 'terminated' : 'interrupt' });
  // Servers default to leave_on_terminate=false and skip_leave_on_interrupt=true: no graceful leave, exit 1.
  const graceful =
    signal === 'SIGINT'
      ? opts.skipLeaveOnInterrupt === false || !opts.server
      : opts.leaveOnTerminate === true;
  if (graceful) log.info('agent', 'Gracefully shutting down agent...');
  else log.info('agent', 'Graceful shutdown disabled. Exiting');
  log.info('agent', 'Requesting shutdown');
  await handle.stop();
  log.info('agent', 'shutdown complete');
  return graceful ? 0 : 1;
}

export async function runCli(argv: string[], io: Io = stdio): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === 'version' || cmd === '--version' || cmd === '-version' || cmd === '-v') {
    io.out(versionText());
    return 0;
  }
  if (cmd === 'agent') return agent(rest, io);
  if (cmd === 'members') return members(io);
  if (cmd === 'kv') return kvCommand(rest, io);
  if (cmd === '--help' || cmd === '-help' || cmd === '-h') {
    const sub = rest[0];
    if (sub && COMMANDS.includes(sub)) {
      io.out(`Usage: consul ${sub} [options]\n`);
      return 0;
    }
    io.err(TOP_USAGE);
    return 0;
  }
  io.err(TOP_USAGE);
  return 127;
}
