// Starts the service: HTTP first (so Consul's check can reach /healthz), then RabbitMQ, and only once
// connected to it the registrations on Consul and Kong (so its check may start as passing).
// SIGTERM deregisters from Consul and exits 0 within ~2 s. Tracing is set up before this file by
// `node --import ./src/tracing.ts`; log lines carry the active trace's id.
import { hostname } from 'node:os';
import { parseConfig } from './config.ts';
import { createHttpServer, type Processed } from './http-server.ts';
import { type Messaging, startMessaging } from './messaging.ts';
import { ownAddress } from './network.ts';
import { deregister, register } from './registration.ts';
import { flushTraces, traceSuffix } from './telemetry.ts';

const config = parseConfig(process.env, hostname());
const log = (message: string) => console.log(`[${config.serviceName}] ${message}${traceSuffix()}`);
const address = process.env.SERVICE_ADDRESS || ownAddress();
const processed: Processed[] = [];
const stopping = new AbortController();
let messaging: Messaging | undefined;
let registered = !config.register;
let onConsul = false;

const server = createHttpServer(config, {
  healthy: () => messaging?.connected() === true,
  ready: () => registered && messaging?.connected() === true,
  publish: (message) => {
    if (messaging === undefined) return Promise.reject(new Error('not connected to RabbitMQ yet'));
    log(`queueing verification for ${message.email}`);
    return messaging.publish(message);
  },
  processed,
});
// BIND_ADDRESS: `mkdev run` listens on the project network's gateway only; a container on all interfaces.
server.listen(config.port, process.env.BIND_ADDRESS || '0.0.0.0', () =>
  log(`listening on ${address}:${config.port} (route ${config.routePath})`),
);
// Installed before anything slow: as PID 1 in a container, Node would otherwise ignore SIGTERM.
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));

messaging = await startMessaging(
  config.rabbitmqUrl,
  config.verificationQueue,
  (message) => {
    processed.push({ ...message, processedAt: new Date().toISOString() });
    log(`processed verification for ${message.email}`);
  },
  log,
);

if (config.register) {
  try {
    // Registered only once it can serve, so its Consul check may honestly start as passing.
    await messaging.whenConnected(stopping.signal);
    onConsul = true; // from the first attempt on: a half-done registration is still undone on SIGTERM
    await register(config, address, stopping.signal, log);
    registered = true;
  } catch (error) {
    if (!stopping.signal.aborted) {
      log(`registration failed: ${(error as Error).message}`);
      process.exit(1);
    }
  }
}

async function shutdown(signal: string): Promise<void> {
  if (stopping.signal.aborted) return;
  log(`${signal}: deregistering and stopping`);
  stopping.abort();
  // Never wait long: Docker kills the container 10 s after SIGTERM.
  const deadline = setTimeout(() => process.exit(0), 3_000);
  server.close();
  server.closeAllConnections();
  if (onConsul)
    await deregister(config).catch((e: Error) => log(`Consul deregistration failed: ${e.message}`));
  await messaging?.close().catch(() => {});
  await flushTraces().catch(() => {});
  clearTimeout(deadline);
  process.exit(0);
}
