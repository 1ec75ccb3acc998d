// The registrator's registration logic, shared by its two sources of events: the Docker engine's
// events (registrator.ts, the Docker stack) and the Kubernetes API's pod watch (kubernetes.ts, the
// exported manifests). Whatever the source, a workload becomes a Target; this module registers it in
// Consul with a TCP check and deregisters it when it goes.
//
// No dependencies: the Docker stack runs these files with Node's type stripping, with no node_modules.

export interface Target {
  /** What the source knows the workload by (container ID, pod UID): deregistration goes by it. */
  readonly key: string;
  /** The Consul service ID: `<name>-<hostname>`, the ID the service templates register themselves under. */
  readonly serviceId: string;
  readonly name: string;
  readonly address: string;
  readonly port: number;
  readonly meta: Readonly<Record<string, string>>;
}

export type Log = (message: string) => void;

export interface Registrar {
  register(target: Target): Promise<void>;
  deregister(key: string): Promise<void>;
  /** Service IDs registered so far, by source key. */
  readonly registered: ReadonlyMap<string, string>;
}

export const log: Log = (message) =>
  process.stdout.write(`${new Date().toISOString()} registrator: ${message}\n`);

/** `<name>:<port>`, the value of the Docker label and the Kubernetes annotation. */
export function parseRegisterValue(value: string): { name: string; port: number } | undefined {
  const [name = '', port = ''] = value.split(':');
  const number = Number(port);
  if (name === '' || !Number.isInteger(number) || number < 1 || number > 65535) return undefined;
  return { name, port: number };
}

async function withRetry(
  what: string,
  fn: () => Promise<void>,
  say: Log,
  signal?: AbortSignal,
): Promise<void> {
  for (let delay = 250; ; delay = Math.min(delay * 2, 5000)) {
    try {
      await fn();
      return;
    } catch (error) {
      if (signal?.aborted) return;
      say(`${what} failed (${(error as Error).message}); retrying in ${delay} ms`);
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}

export function createRegistrar(consulUrl: string, say: Log = log, signal?: AbortSignal): Registrar {
  const registered = new Map<string, string>();

  async function consulPut(path: string, body?: unknown): Promise<number> {
    const res = await fetch(`${consulUrl}${path}`, {
      method: 'PUT',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    await res.text();
    return res.status;
  }

  async function register(target: Target): Promise<void> {
    const { serviceId, address, port } = target;
    // Remember it either way, so it is deregistered when the workload goes.
    registered.set(target.key, serviceId);
    // A service that registered itself (same ID) keeps its own, richer registration and check.
    const own = await fetch(`${consulUrl}/v1/agent/service/${serviceId}`).catch(() => undefined);
    await own?.text();
    if (own?.status === 200) {
      say(`${serviceId} registered itself; leaving its registration alone`);
      return;
    }
    await withRetry(
      `register ${serviceId}`,
      async () => {
        const status = await consulPut('/v1/agent/service/register', {
          ID: serviceId,
          Name: target.name,
          Address: address,
          Port: port,
          Tags: ['mkdev'],
          Meta: { ...target.meta, registered_by: 'mkdev-registrator' },
          Check: {
            TCP: `${address}:${port}`,
            Interval: '2s',
            Timeout: '1s',
            DeregisterCriticalServiceAfter: '1m',
          },
        });
        if (status !== 200) throw new Error(`Consul answered ${status}`);
      },
      say,
      signal,
    );
    say(`registered ${serviceId} at ${address}:${port}`);
  }

  async function deregister(key: string): Promise<void> {
    const serviceId = registered.get(key);
    if (serviceId === undefined) return;
    registered.delete(key);
    // 404 means the service already deregistered itself: nothing left to do.
    const status = await consulPut(`/v1/agent/service/deregister/${serviceId}`).catch(() => 0);
    say(`deregistered ${serviceId} (Consul ${status})`);
  }

  return { register, deregister, registered };
}
