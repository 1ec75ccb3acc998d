// Registers this instance on Consul (address + health check) and on Kong (public route), retrying
// while they come up: the stack starts them alongside the service.

import {
  deregisterFromConsul,
  RegistrationError,
  registerOnConsul,
  registerOnKong,
  withRetry,
} from '../vendor/mkdev-register/index.js';
import type { Config } from './config.ts';

export type Log = (message: string) => void;

/** A 400 (Kong's schema violation, Consul's invalid definition) will not fix itself: fail at once. */
const retryable = (error: unknown) => !(error instanceof RegistrationError && error.status === 400);

export async function register(
  config: Config,
  address: string,
  signal: AbortSignal,
  log: Log,
): Promise<void> {
  const retry = (what: string) => ({
    timeoutMs: 120_000,
    initialDelayMs: 200,
    maxDelayMs: 3_000,
    signal,
    retryIf: retryable,
    onRetry: (error: unknown, attempt: number, delayMs: number) =>
      log(
        `${what} not reachable yet (attempt ${attempt}: ${(error as Error).message}); retrying in ${delayMs} ms`,
      ),
  });
  await withRetry(
    () =>
      registerOnConsul({
        consulUrl: config.consulUrl,
        id: config.instanceId,
        name: config.serviceName,
        address,
        port: config.port,
        tags: ['mkdev'],
        check: {
          http: `http://${address}:${config.port}/healthz`,
          interval: '2s',
          timeout: '1s',
          // Consul's minimum: a replica killed without deregistering disappears a minute later.
          deregisterCriticalServiceAfter: '1m',
          // It registers only once connected to RabbitMQ, so /healthz already answers 200: visible
          // to Consul DNS (and Kong) at once instead of after the first check.
          status: 'passing',
        },
        signal,
      }),
    retry('Consul'),
  );
  log(`registered on Consul as ${config.instanceId} (${address}:${config.port})`);
  // One Kong Service + Route per service name, shared by every replica: PUT by name is idempotent.
  await withRetry(
    () =>
      registerOnKong({
        adminUrl: config.kongAdminUrl,
        name: config.serviceName,
        host: `${config.serviceName}.service.consul`,
        port: config.port,
        paths: [config.routePath],
        stripPath: true,
        tags: ['mkdev'],
        signal,
      }),
    retry('Kong'),
  );
  log(`registered on Kong: ${config.routePath} -> ${config.serviceName}.service.consul:${config.port}`);
}

/**
 * On shutdown only this instance leaves Consul. The Kong Service and Route stay: other replicas share
 * them, and Consul DNS stops handing out this instance at once, so Kong stops routing to it.
 */
export async function deregister(config: Config): Promise<void> {
  await deregisterFromConsul({
    consulUrl: config.consulUrl,
    id: config.instanceId,
    signal: AbortSignal.timeout(2_000),
  });
}
