// testcontainers is told the engine mkdev uses, so a test's KongContainer and its startStack() land on
// one engine. testcontainers-node (v12) does not read Docker contexts: it tries, in order, `tc.host`
// from ~/.testcontainers.properties, then DOCKER_HOST / DOCKER_TLS_VERIFY / DOCKER_CERT_PATH (the
// environment overriding the file's docker.host, docker.tls.verify, docker.cert.path), then
// /var/run/docker.sock, then the rootless and Docker Desktop sockets
// (packages/testcontainers/src/container-runtime/clients/client.ts:39-45,
// strategies/utils/config.ts:20-80, strategies/configuration-strategy.ts). It reads that configuration
// once per process, on its first container. So before the first one, mkdev puts its own engine in the
// environment: DOCKER_HOST, and for TLS DOCKER_TLS_VERIFY=1 with DOCKER_CERT_PATH naming the directory
// of ca.pem, cert.pem and key.pem (the names a context's TLS directory uses). Workers of a test runner
// inherit it from a global setup that starts a stack.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { connectEngine, currentEngine, publishEngineEnv } from '../engine/docker-client.ts';
import type { EngineEndpoint } from '../engine/engine-discovery.ts';
import { UserError } from '../errors.ts';

/** key -> value of a Java properties file (the lines testcontainers reads: key=value or key: value). */
export function readProperties(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;
    const at = line.search(/[=:]/);
    if (at <= 0) continue;
    out[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  }
  return out;
}

/** The variables that make testcontainers use `endpoint`; throws when it cannot be expressed. */
export function testcontainersEnv(endpoint: EngineEndpoint): Record<string, string> {
  if (endpoint.kind === 'socket') return { DOCKER_HOST: endpoint.uri };
  const tls = endpoint.tls;
  if (tls === undefined) return { DOCKER_HOST: endpoint.uri };
  const dir = tls.caFile ? dirname(tls.caFile) : undefined;
  const complete =
    dir !== undefined &&
    tls.caFile === join(dir, 'ca.pem') &&
    tls.certFile === join(dir, 'cert.pem') &&
    tls.keyFile === join(dir, 'key.pem');
  if (!tls.verify || !complete) {
    throw new UserError(
      `testcontainers cannot reach ${endpoint.uri} as mkdev does: it speaks TLS only with verification and a ca.pem, cert.pem and key.pem in one directory`,
      {
        hint: 'give the engine a CA and client certificate (docker context create --docker "host=...,ca=...,cert=...,key=..."), or use a socket',
      },
    );
  }
  return { DOCKER_HOST: endpoint.uri, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: dir };
}

/**
 * Points testcontainers at mkdev's engine (see above). Idempotent; call it before the first container
 * of a test process if that container is not one of mkdev/testing's (their start() calls it).
 */
export function useMkdevEngineForTestcontainers(
  env: NodeJS.ProcessEnv = process.env,
  propertiesFile = join(homedir(), '.testcontainers.properties'),
): void {
  const endpoint = currentEngine().endpoint;
  if (existsSync(propertiesFile)) {
    const tcHost = readProperties(readFileSync(propertiesFile, 'utf8'))['tc.host'];
    // tc.host wins over DOCKER_HOST in testcontainers, and mkdev does not follow it.
    if (tcHost !== undefined && tcHost !== endpoint.uri) {
      throw new UserError(
        `${propertiesFile} sets tc.host=${tcHost}: testcontainers would start containers there, while mkdev uses ${endpoint.uri}`,
        {
          hint: `remove tc.host from ${propertiesFile}, or set DOCKER_HOST=${tcHost} so that mkdev uses it too`,
        },
      );
    }
  }
  publishEngineEnv(testcontainersEnv(endpoint), env);
}

/**
 * Done when mkdev/testing is loaded: testcontainers reads its configuration on its first container or
 * network, which a test may start before any of mkdev's. A failure is kept and thrown by the first
 * mkdev container or stack that starts, rather than at import.
 */
let setupError: unknown;
try {
  useMkdevEngineForTestcontainers();
} catch (error) {
  setupError = error;
}

let reachable: Promise<void> | undefined;

/**
 * Throws what pointing testcontainers at mkdev's engine ran into, if anything, and fails clearly when
 * that engine does not answer: testcontainers itself would then silently try its next strategy
 * (/var/run/docker.sock, the rootless and Docker Desktop sockets: clients/client.ts:46-60), another
 * engine than mkdev's.
 */
export async function ensureTestcontainersEngine(): Promise<void> {
  if (setupError !== undefined) throw setupError;
  reachable ??= connectEngine().then(
    () => undefined,
    (error: unknown) => {
      reachable = undefined;
      throw error;
    },
  );
  await reachable;
}
