// The one way to reach the Docker engine: the engine the Docker CLI would use (engine-discovery.ts),
// as a dockerode client. Every client in mkdev, its tests, benches and image scripts is made here.
import { readFileSync } from 'node:fs';
import { Agent } from 'node:https';
import { homedir } from 'node:os';
import Docker from 'dockerode';
import { withDeadline } from '../abort.ts';
import { UserError } from '../errors.ts';
import { discoverEngine, type EngineChoice, type EngineEndpoint } from './engine-discovery.ts';
import { START_ENGINE_HINT } from './engine-error.ts';

export type { Docker };

let cached: { key: string; choice: EngineChoice } | undefined;

function environmentKey(): string {
  const env = process.env;
  return JSON.stringify([
    env.DOCKER_HOST,
    env.DOCKER_CONTEXT,
    env.DOCKER_CONFIG,
    env.DOCKER_TLS_VERIFY,
    env.DOCKER_TLS,
    env.DOCKER_CERT_PATH,
    env.XDG_RUNTIME_DIR,
    homedir(),
  ]);
}

/** The engine this process uses, from its environment; read again only when that environment changes. */
export function currentEngine(): EngineChoice {
  const key = environmentKey();
  if (cached?.key !== key) cached = { key, choice: discoverEngine({ env: process.env, home: homedir() }) };
  return cached.choice;
}

/**
 * Puts variables naming this engine into `env` for another tool (testcontainers); in this process's
 * own environment, mkdev keeps its choice and the reason it gave for it.
 */
export function publishEngineEnv(vars: Readonly<Record<string, string>>, env: NodeJS.ProcessEnv): void {
  const choice = currentEngine();
  Object.assign(env, vars);
  if (env === process.env) cached = { key: environmentKey(), choice };
}

/** "unix:///var/run/docker.sock (the default socket ...)": where, and why there. */
export function describeEngine(choice: EngineChoice = currentEngine()): string {
  return `${choice.endpoint.uri} (${choice.source})`;
}

/** Where published ports are reached: the engine's host for a tcp:// engine, else this machine's loopback. */
export function engineHost(endpoint: EngineEndpoint = currentEngine().endpoint): string {
  if (endpoint.kind === 'tcp' && endpoint.host !== '0.0.0.0' && endpoint.host !== 'localhost')
    return endpoint.host;
  return '127.0.0.1';
}

/** dockerode's options for an endpoint (they override docker-modem's own reading of DOCKER_HOST). */
export function dockerodeOptions(endpoint: EngineEndpoint): Docker.DockerOptions {
  if (endpoint.kind === 'socket') return { socketPath: endpoint.path };
  const tls = endpoint.tls;
  if (tls === undefined) return { host: endpoint.host, port: endpoint.port, protocol: 'http' };
  const pem = (file: string | undefined) => (file === undefined ? undefined : readFileSync(file));
  const [ca, cert, key] = [pem(tls.caFile), pem(tls.certFile), pem(tls.keyFile)];
  return {
    host: endpoint.host,
    port: endpoint.port,
    protocol: 'https',
    ...(ca ? { ca } : {}),
    ...(cert ? { cert } : {}),
    ...(key ? { key } : {}),
    // SkipTLSVerify / DOCKER_TLS without _VERIFY: encrypted, the certificate not checked (as the CLI does).
    ...(tls.verify ? {} : { agent: new Agent({ rejectUnauthorized: false }) }),
  };
}

export function createDockerClient(options: { timeoutMs?: number } = {}): Docker {
  // No timeout on the client itself: logs, events and pulls stream for a long time. Callers that must
  // answer quickly (doctor, ping) race their own deadline.
  return new Docker({
    ...dockerodeOptions(currentEngine().endpoint),
    ...(options.timeoutMs === undefined ? {} : { timeout: options.timeoutMs }),
  });
}

/** Why the engine did not answer, in a user's words. */
export function unreachableReason(error: unknown): string {
  const code = (error as { code?: string }).code;
  if (code === 'ENOENT') return 'no such socket';
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'EACCES') return 'permission denied on the socket';
  return error instanceof Error ? (error.message.split('\n')[0] ?? error.message) : String(error);
}

/** Where mkdev looked for an engine, one line each, for "cannot reach" messages. */
export function triedLines(choice: EngineChoice): string {
  return `looked for an engine in this order:\n${choice.tried.map((t) => `  - ${t}`).join('\n')}`;
}

/** Resolves when the engine answers, or fails with a UserError naming where we looked, within `deadlineMs`. */
async function pingEngine(docker: Docker, choice: EngineChoice, deadlineMs = 3000): Promise<void> {
  try {
    await withDeadline(docker.ping(), deadlineMs, `no answer within ${deadlineMs / 1000} s`);
  } catch (error) {
    throw new UserError(
      `cannot reach the Docker engine at ${describeEngine(choice)}: ${unreachableReason(error)}`,
      { details: triedLines(choice), hint: START_ENGINE_HINT },
    );
  }
}

/** A connected client, or a clear error: the one entry point commands use. */
export async function connectEngine(): Promise<Docker> {
  const choice = currentEngine();
  const docker = createDockerClient();
  await pingEngine(docker, choice);
  return docker;
}
