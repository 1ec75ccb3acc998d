// Runs the stand-in from source on the host and talks to its Admin API, validating every response.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SpecValidator } from './openapi.ts';
import { freePort } from './postgres.ts';

const MAIN = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'main.ts');
export const validator = new SpecValidator();

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `kong <args>` (the stand-in CLI) to completion. */
export function runKong(args: string[], env: Record<string, string>, timeoutMs = 30_000): Promise<RunResult> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [MAIN, ...args], { env: { PATH: process.env.PATH ?? '', ...env } });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => {
      stdout += d;
    });
    p.stderr.on('data', (d) => {
      stderr += d;
    });
    const t = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.on('exit', (code) => {
      clearTimeout(t);
      resolve({ code, stdout, stderr });
    });
  });
}

// biome-ignore lint/suspicious/noExplicitAny: tests assert response bodies field by field
export type AnyBody = any;

/** `Response.json()` typed for assertions. */
export const json = (r: Response): Promise<AnyBody> => r.json();

export interface Reply<T = AnyBody> {
  status: number;
  body: T;
  headers: Headers;
}

export interface KongNode {
  admin: string;
  proxy: string;
  status: string;
  proxyPort: number;
  env: Record<string, string>;
  logs(): string;
  /** Admin API call; the response is validated against the published spec. */
  api<T = AnyBody>(
    method: string,
    path: string,
    body?: unknown,
    opts?: { form?: boolean; allowUndocumented?: boolean; contentType?: string },
  ): Promise<Reply<T>>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Kong service `name` (its settings: host, port, ...) and its route /<name>, both put by name as mkdev
 * does; throws with Kong's answer unless both are 200, so a test's set-up cannot fail unseen.
 */
export async function serviceWithRoute(
  node: Pick<KongNode, 'api'>,
  name: string,
  service: Record<string, unknown>,
): Promise<void> {
  for (const [path, body] of [
    [`/services/${name}`, service],
    [`/routes/${name}`, { service: { name }, paths: [`/${name}`] }],
  ] as const) {
    const reply = await node.api('PUT', path, body);
    if (reply.status !== 200) throw new Error(`PUT ${path}: ${reply.status} ${JSON.stringify(reply.body)}`);
  }
}

export async function waitFor<T>(
  what: string,
  fn: () => Promise<T | undefined | false>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function apiCall(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  opts: { form?: boolean; allowUndocumented?: boolean; contentType?: string } = {},
): Promise<Reply> {
  const headers: Record<string, string> = {};
  let payload: string | undefined;
  if (body !== undefined) {
    if (opts.contentType) {
      headers['content-type'] = opts.contentType;
      payload = String(body);
    } else if (opts.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      payload = new URLSearchParams(body as Record<string, string>).toString();
    } else {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(body);
    }
  }
  const res = await fetch(base + path, { method, headers, body: payload });
  const text = await res.text();
  const isJson = (res.headers.get('content-type') ?? '').includes('json');
  const parsed = text && isJson ? JSON.parse(text) : text;
  if (!opts.allowUndocumented)
    validator.validate(method, path, res.status, res.status === 204 ? undefined : parsed);
  return { status: res.status, body: parsed, headers: res.headers };
}

export async function startKong(
  env: Record<string, string>,
  opts: { expectReady?: boolean; command?: 'docker-start' | 'start' } = {},
): Promise<KongNode> {
  const [proxyPort, adminPort, statusPort] = [await freePort(), await freePort(), await freePort()];
  const prefix = mkdtempSync(join(tmpdir(), 'kong-standin-prefix-'));
  const fullEnv: Record<string, string> = {
    KONG_PREFIX: prefix,
    KONG_PROXY_LISTEN: `127.0.0.1:${proxyPort}`,
    KONG_ADMIN_LISTEN: `127.0.0.1:${adminPort}`,
    KONG_STATUS_LISTEN: `127.0.0.1:${statusPort}`,
    ...env,
  };
  const proc: ChildProcess = spawn(process.execPath, [MAIN, opts.command ?? 'docker-start'], {
    env: { PATH: process.env.PATH ?? '', ...fullEnv },
  });
  let logs = '';
  proc.stdout?.on('data', (d) => {
    logs += d;
  });
  proc.stderr?.on('data', (d) => {
    logs += d;
  });
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (c) => resolve(c)));
  const node: KongNode = {
    admin: `http://127.0.0.1:${adminPort}`,
    proxy: `http://127.0.0.1:${proxyPort}`,
    status: `http://127.0.0.1:${statusPort}`,
    proxyPort,
    env: fullEnv,
    logs: () => logs,
    api: (method, path, body, o) => apiCall(`http://127.0.0.1:${adminPort}`, method, path, body, o),
    async stop(signal = 'SIGTERM') {
      if (proc.exitCode === null) proc.kill(signal);
      const code = await exited;
      rmSync(prefix, { recursive: true, force: true });
      return code;
    },
  };
  if (opts.expectReady !== false) {
    const outcome = await waitFor('kong ready', async () => {
      if (proc.exitCode !== null) return 'exited';
      const r = await fetch(`${node.status}/status/ready`);
      return r.status === 200 ? 'ready' : undefined;
    }).catch((e: Error) => e.message);
    if (outcome !== 'ready') {
      await node.stop('SIGKILL');
      throw new Error(`kong did not become ready (${outcome}):\n${logs}`);
    }
  }
  return node;
}
