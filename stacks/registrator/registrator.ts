// mkdev's registrator: what gliderlabs/registrator did for the original platform. It watches the
// engine's events for this project's containers labelled `dev.mkdev.register-port` and registers each
// in Consul (its IP on the project network and that port, with a TCP check), deregistering it when
// it stops. A service that does not register itself is still discoverable through Consul's DNS.
//
// It runs inside the stack (node image, Docker socket mounted read-only), with no dependencies: Node 24
// strips these types itself. The service ID is `<name>-<container hostname>`, the same ID the service
// templates use for their own registration, so the two never make duplicate instances.
import { request } from 'node:http';

const project = process.env.MKDEV_PROJECT ?? '';
const network = process.env.MKDEV_NETWORK ?? `mkdev-${project}`;
const consulUrl = process.env.CONSUL_URL ?? 'http://consul:8500';
const socketPath = process.env.DOCKER_SOCKET ?? '/var/run/docker.sock';
const LABEL_PROJECT = 'dev.mkdev.project';
const LABEL_REGISTER = 'dev.mkdev.register-port';

interface ContainerInfo {
  Id: string;
  Name: string;
  Config: { Hostname: string; Labels: Record<string, string> };
  State: { Running: boolean };
  NetworkSettings: { Networks: Record<string, { IPAddress: string }> };
}

const log = (message: string) =>
  process.stdout.write(`${new Date().toISOString()} registrator: ${message}\n`);

function docker(path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path, method: 'GET' }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        body += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const registered = new Map<string, string>(); // container id -> consul service id

async function consulPut(path: string, body?: unknown): Promise<number> {
  const res = await fetch(`${consulUrl}${path}`, {
    method: 'PUT',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  await res.text();
  return res.status;
}

async function withRetry(what: string, fn: () => Promise<void>): Promise<void> {
  for (let delay = 250; ; delay = Math.min(delay * 2, 5000)) {
    try {
      await fn();
      return;
    } catch (error) {
      log(`${what} failed (${(error as Error).message}); retrying in ${delay} ms`);
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}

async function register(id: string): Promise<void> {
  const res = await docker(`/containers/${id}/json`);
  if (res.status !== 200) return;
  const info = JSON.parse(res.body) as ContainerInfo;
  const label = info.Config.Labels[LABEL_REGISTER];
  if (!info.State.Running || label === undefined) return;
  const [name = '', port = ''] = label.split(':');
  const address = info.NetworkSettings.Networks[network]?.IPAddress;
  if (!address || !port) return;
  const serviceId = `${name}-${info.Config.Hostname}`;
  // Remember it either way, so it is deregistered when the container stops.
  registered.set(info.Id, serviceId);
  // A service that registered itself (same ID) keeps its own, richer registration and check.
  const own = await fetch(`${consulUrl}/v1/agent/service/${serviceId}`).catch(() => undefined);
  await own?.text();
  if (own?.status === 200) {
    log(`${serviceId} registered itself; leaving its registration alone`);
    return;
  }
  await withRetry(`register ${serviceId}`, async () => {
    const status = await consulPut('/v1/agent/service/register', {
      ID: serviceId,
      Name: name,
      Address: address,
      Port: Number(port),
      Tags: ['mkdev'],
      Meta: { container: info.Name.replace(/^\//, ''), registered_by: 'mkdev-registrator' },
      Check: {
        TCP: `${address}:${port}`,
        Interval: '2s',
        Timeout: '1s',
        DeregisterCriticalServiceAfter: '1m',
      },
    });
    if (status !== 200) throw new Error(`Consul answered ${status}`);
  });
  log(`registered ${serviceId} at ${address}:${port}`);
}

async function deregister(id: string): Promise<void> {
  const serviceId = registered.get(id);
  if (serviceId === undefined) return;
  registered.delete(id);
  // 404 means the service already deregistered itself: nothing left to do.
  const status = await consulPut(`/v1/agent/service/deregister/${serviceId}`).catch(() => 0);
  log(`deregistered ${serviceId} (Consul ${status})`);
}

async function watch(): Promise<void> {
  const filters = encodeURIComponent(
    JSON.stringify({
      type: ['container'],
      event: ['start', 'die', 'stop', 'destroy'],
      label: [`${LABEL_PROJECT}=${project}`],
    }),
  );
  await new Promise<void>((resolve, reject) => {
    const req = request({ socketPath, path: `/events?filters=${filters}`, method: 'GET' }, (res) => {
      let pending = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        pending += chunk;
        const lines = pending.split('\n');
        pending = lines.pop() ?? '';
        for (const line of lines) {
          if (line.trim() === '') continue;
          const event = JSON.parse(line) as { status?: string; Action?: string; id?: string };
          const action = event.Action ?? event.status;
          if (!event.id) continue;
          if (action === 'start') void register(event.id);
          else void deregister(event.id);
        }
      });
      res.on('end', resolve);
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

async function main(): Promise<void> {
  log(`watching project ${project} on network ${network}, registering in ${consulUrl}`);
  // Subscribe first, then list: a container starting in between is seen by one or the other.
  const events = watch();
  const list = await docker(
    `/containers/json?filters=${encodeURIComponent(JSON.stringify({ label: [`${LABEL_PROJECT}=${project}`, LABEL_REGISTER] }))}`,
  );
  for (const c of JSON.parse(list.body) as { Id: string }[]) void register(c.Id);
  await events;
  throw new Error('the engine closed the event stream');
}

process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => process.exit(0));
main().catch((error: unknown) => {
  log(`stopping: ${(error as Error).message}`);
  process.exit(1);
});
