// mkdev's registrator: what gliderlabs/registrator did for the original platform. It watches the
// engine's events for this project's containers labelled `dev.mkdev.register-port` and registers each
// in Consul (its IP on the project network and that port, with a TCP check), deregistering it when
// it stops. A service that does not register itself is still discoverable through Consul's DNS.
//
// It runs inside the stack (node image, this directory and the Docker socket mounted read-only), with
// no dependencies: Node 24 strips these types itself. The registration itself is registration.ts,
// shared with the Kubernetes mode (kubernetes.ts). The service ID is `<name>-<container hostname>`, the same ID the service
// templates use for their own registration, so the two never make duplicate instances.
import { request } from 'node:http';
import { createRegistrar, log, parseRegisterValue } from './registration.ts';

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

const registrar = createRegistrar(consulUrl);

async function register(id: string): Promise<void> {
  const res = await docker(`/containers/${id}/json`);
  if (res.status !== 200) return;
  const info = JSON.parse(res.body) as ContainerInfo;
  const label = info.Config.Labels[LABEL_REGISTER];
  if (!info.State.Running || label === undefined) return;
  const wanted = parseRegisterValue(label);
  const address = info.NetworkSettings.Networks[network]?.IPAddress;
  if (!address || wanted === undefined) return;
  await registrar.register({
    key: info.Id,
    serviceId: `${wanted.name}-${info.Config.Hostname}`,
    name: wanted.name,
    address,
    port: wanted.port,
    meta: { container: info.Name.replace(/^\//, '') },
  });
}

async function deregister(id: string): Promise<void> {
  await registrar.deregister(id);
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
