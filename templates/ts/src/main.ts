// Starts the service: HTTP first (so Consul's check can reach /healthz), then RabbitMQ, and only once
// connected to it the registrations on Consul and Kong (so its check may start as passing). Under the
// supervisor HTTP comes last instead (acceptOnceReady below).
// SIGTERM deregisters from Consul and exits 0 within ~2 s. Under the image's supervisor (supervisor.ts),
// which replaces this process in place at each `mkdev watch` sync: it says "ready" once it can serve, and
// leaves at "handover" without deregistering (its successor holds the same registration). Tracing is set up before this file by
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
// Under the supervisor the listening socket is one, shared with the process this one replaces, which
// still serves. A connection this process accepted before RabbitMQ is connected would get a 503 from
// /healthz: Consul's check (a new connection each time) would mark the instance critical, its DNS would
// answer nothing and Kong would cache "name resolution failed". So a supervised process accepts only
// once it can serve, just before it says "ready"; until then every connection goes to its predecessor.
const acceptOnceReady = process.env.MKDEV_SUPERVISED === '1';
const listening = () =>
  new Promise<void>((resolve) =>
    // BIND_ADDRESS: `mkdev run` listens on the project network's gateway only; a container on all interfaces.
    server.listen(config.port, process.env.BIND_ADDRESS || '0.0.0.0', () => {
      log(`listening on ${address}:${config.port} (route ${config.routePath})`);
      resolve();
    }),
  );
if (!acceptOnceReady) void listening();
/** Tells the supervisor, if any, that this process serves: the one it replaces may leave. */
async function sayReady(): Promise<void> {
  if (acceptOnceReady) await listening();
  process.send?.({ mkdev: 'ready' });
}
// Installed before anything slow: as PID 1 in a container, Node would otherwise ignore SIGTERM.
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('message', (message: { mkdev?: string }) => {
  if (message?.mkdev === 'handover') void shutdown('handover', { keepRegistration: true });
});

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
    // It can serve: under the supervisor the process it replaces may leave now. The registration below
    // only repeats the one they share (same ID, address and port), so it need not wait for it.
    await sayReady();
    onConsul = true; // from the first attempt on: a half-done registration is still undone on SIGTERM
    await register(config, address, stopping.signal, log);
    registered = true;
  } catch (error) {
    if (!stopping.signal.aborted) {
      log(`registration failed: ${(error as Error).message}`);
      process.exit(1);
    }
  }
} else await sayReady();

async function shutdown(signal: string, { keepRegistration = false } = {}): Promise<void> {
  if (stopping.signal.aborted) return;
  log(
    `${signal}: ${keepRegistration ? 'stopping, registration kept for the next process' : 'deregistering and stopping'}`,
  );
  stopping.abort();
  // Never wait long: Docker kills the container 10 s after SIGTERM.
  const deadline = setTimeout(() => process.exit(0), 3_000);
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  // At a handover a request under way still gets its answer (the deadline bounds it); idle
  // connections close, and Kong's next request goes to the new process.
  if (keepRegistration) server.closeIdleConnections();
  else server.closeAllConnections();
  if (onConsul && !keepRegistration)
    await deregister(config).catch((e: Error) => log(`Consul deregistration failed: ${e.message}`));
  await messaging?.close().catch(() => {});
  await flushTraces().catch(() => {});
  if (keepRegistration) await closed;
  clearTimeout(deadline);
  process.exit(0);
}
