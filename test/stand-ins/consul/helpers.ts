// Test helpers: run the stand-in in-process or as a child process on free ports, poll without sleeping.

import { type ChildProcess, spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import Consul from 'consul';
import { afterAll, beforeAll } from 'vitest';
import { type AgentHandle, startAgent } from './src/agent.ts';
import { type AgentOptions, defaultOptions } from './src/agent-options.ts';
import { createLogger, silentLogger } from './src/log.ts';

export const MAIN_TS = fileURLToPath(new URL('./src/main.ts', import.meta.url));

/** Polls `fn` every `intervalMs` until it returns a truthy value. */
export async function waitFor<T>(fn: () => Promise<T> | T, timeoutMs = 15_000, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastErr: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      lastErr = err;
    }
    if (Date.now() > deadline) throw new Error(`waitFor timed out${lastErr ? `: ${String(lastErr)}` : ''}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export async function leaderOf(httpPort: number): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${httpPort}/v1/status/leader`);
  return (await res.json()) as string;
}

/** Starts a dev-mode agent in this process on random ports and waits for its leader. */
export async function startInProcess(
  overrides: Partial<AgentOptions> = {},
  logLines?: string[],
): Promise<AgentHandle> {
  const opts: AgentOptions = {
    ...defaultOptions(),
    dev: true,
    httpPort: 0,
    dnsPort: 0,
    electionDelayMs: 50,
    ...overrides,
  };
  const log = logLines ? createLogger((l) => logLines.push(l)) : silentLogger;
  const agent = await startAgent(opts, log);
  if ((opts.electionDelayMs ?? 0) < 5_000) await waitFor(() => leaderOf(agent.httpPort), 5_000, 25);
  return agent;
}

export async function freePort(): Promise<number> {
  const srv = createNetServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const addr = srv.address();
  await new Promise<void>((r) => srv.close(() => r()));
  return typeof addr === 'object' && addr ? addr.port : 0;
}

export interface Child {
  proc: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

const children = new Set<ChildProcess>();

/** Kills every child started by runConsul that is still running (for afterAll after a failure). */
export function killChildren(): void {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  children.clear();
}

/** Runs `consul <args>` (the TypeScript entry point under node) as a child process. */
export function runConsul(args: string[]): Child {
  const proc = spawn(process.execPath, [MAIN_TS, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(proc);
  let out = '';
  proc.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  proc.stderr?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  return { proc, output: () => out, exited };
}

/** A tiny HTTP server whose /health answers 200 or 503 depending on `healthy`. */
export async function toggleServer(): Promise<{
  server: Server;
  port: number;
  setHealthy(v: boolean): void;
}> {
  let healthy = true;
  const server = createServer((req, res) => {
    if (req.url === '/health') res.writeHead(healthy ? 200 : 503).end(healthy ? 'ok' : 'down');
    else res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const addr = server.address();
  return {
    server,
    port: typeof addr === 'object' && addr ? addr.port : 0,
    setHealthy: (v) => {
      healthy = v;
    },
  };
}

export interface InProcessAgent {
  readonly agent: AgentHandle;
  /** The `consul` npm client on it. */
  readonly consul: Consul;
  /** `http://127.0.0.1:<port>/v1` */
  readonly base: string;
}

/** One dev-mode agent in this process for the calling test file: started before its tests, stopped after. */
export function useInProcessAgent(): InProcessAgent {
  const t = {} as { agent: AgentHandle; consul: Consul; base: string };
  beforeAll(async () => {
    t.agent = await startInProcess();
    t.consul = new Consul({ host: '127.0.0.1', port: t.agent.httpPort });
    t.base = `http://127.0.0.1:${t.agent.httpPort}/v1`;
  });
  afterAll(async () => {
    t.consul.destroy();
    await t.agent.stop();
  });
  return t;
}
