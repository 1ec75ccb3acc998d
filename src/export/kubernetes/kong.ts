// What the export knows of the platform's start-up, as the Docker stack does it:
//   - the migrations job (a one-shot with a consul_kv_put after_completed) CLEARS its KV flag first,
//     runs its command, and PUTs the flag only once that succeeded: a stale flag never releases Kong;
//   - Kong waits for that flag with bash alone (the Kong image has no curl), then takes the Consul DNS
//     Service's ClusterIP as its resolver (Kong takes only an IP there);
//   - after_ready actions (the prometheus plugin) run in a Job once the service is ready.
import type { IJob } from 'kubernetes-models/batch/v1';
import type { IService } from 'kubernetes-models/v1';
import type { Action, ServiceSpec, Stack } from '../../stack/model.ts';
import { afterReadyEntrypoint, afterReadyName } from '../actions.ts';
import { shellQuote } from '../shell.ts';
import { CONSUL_DNS_PORT, CONSUL_DNS_SERVICE } from './consul.ts';
import { type ExportContext, metadataFor, selectorFor } from './objects.ts';
import { expandable, type SecretKeys } from './secrets.ts';

type KvPut = Extract<Action, { kind: 'consul_kv_put' }>;

export type ProxyServiceType = 'LoadBalancer' | 'NodePort';

const kvPuts = (s: ServiceSpec) => s.afterCompleted.filter((a): a is KvPut => a.kind === 'consul_kv_put');

/** The flag the gateway waits for: the KV put of a job it requires (or depends on). */
export function kongFlag(stack: Stack, kong: ServiceSpec): KvPut | undefined {
  return flagAndJob(stack, kong)?.put;
}

/**
 * The job whose flag the gateway's entrypoint waits for: its `completed` dependency on that job needs no
 * ordering of Kubernetes' (which has none between a Job and a Deployment), the entrypoint is the wait.
 */
export function flagJobOf(stack: Stack, kong: ServiceSpec): string | undefined {
  return flagAndJob(stack, kong)?.job;
}

function flagAndJob(stack: Stack, kong: ServiceSpec): { put: KvPut; job: string } | undefined {
  if (kong.oneShot || kong.role !== 'gateway') return undefined;
  const related = [...kong.requires, ...Object.keys(kong.dependsOn)];
  for (const name of related) {
    const job = stack.services[name];
    const put = job?.oneShot ? kvPuts(job)[0] : undefined;
    if (put && stack.services[put.service]) return { put, job: name };
  }
  return undefined;
}

/** Kong's entrypoint in the cluster: the Docker stack's wait for the flag, then the DNS Service's IP. */
export function kongEntrypoint(flag: KvPut): string[] {
  const { service: host, port, key } = flag;
  const url = `http://${host}:${port}/v1/kv/${key}`;
  const request = `GET /v1/kv/${key} HTTP/1.0\\r\\nHost: ${host}\\r\\n\\r\\n`;
  const script = [
    '# PID 1 ignores signals it has no trap for: stop promptly while still waiting for the flag.',
    "trap 'exit 143' TERM INT QUIT",
    `echo ${shellQuote(`mkdev: waiting for the Consul KV flag ${key} (GET ${url} every second)`)}`,
    `until [ "$(exec 3<>/dev/tcp/${host}/${port} && printf ${shellQuote(request)} >&3 && read -r -t 2 _ code _ <&3 && echo "$code")" = 200 ]; do`,
    '  sleep 1',
    'done 2>/dev/null',
    `# Kong takes only an IP as dns_resolver: the ${CONSUL_DNS_SERVICE} Service's ClusterIP, from the`,
    '# environment Kubernetes injects for each Service, else (service links off) from the cluster DNS, IPv4.',
    `consul_dns="\${${envPrefix(CONSUL_DNS_SERVICE)}_SERVICE_HOST:-}"`,
    `[ -n "$consul_dns" ] || read -r consul_dns _ < <(getent ahostsv4 ${CONSUL_DNS_SERVICE})`,
    `[ -n "$consul_dns" ] || { echo 'mkdev: cannot find the ClusterIP of the ${CONSUL_DNS_SERVICE} Service' >&2; exit 1; }`,
    `echo "mkdev: ${key} flag found; starting Kong with dns_resolver $consul_dns:${CONSUL_DNS_PORT}"`,
    `export KONG_DNS_RESOLVER="$consul_dns:${CONSUL_DNS_PORT}"`,
    'exec /docker-entrypoint.sh kong docker-start',
  ];
  return ['bash', '-c', script.join('\n')];
}

/** Kubernetes' service-link env names: the Service name upper-cased, dashes as underscores. */
const envPrefix = (service: string) => service.toUpperCase().replace(/-/g, '_');

/** The proxy port: from KONG_PROXY_LISTEN's first plain listener, else Kong's default 8000. */
function kongProxyPort(kong: ServiceSpec): number {
  const listen = kong.env.KONG_PROXY_LISTEN ?? '0.0.0.0:8000';
  const first = listen.split(',').find((l) => !/\bssl\b/.test(l)) ?? listen;
  const port = Number(/:(\d+)/.exec(first)?.[1]);
  return Number.isInteger(port) && port > 0 ? port : 8000;
}

export function kongProxyService(ctx: ExportContext, kong: ServiceSpec, type: ProxyServiceType): IService {
  const port = kongProxyPort(kong);
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: metadataFor(ctx, `${kong.name}-proxy`, kong.name),
    spec: {
      type,
      selector: selectorFor(kong.name),
      ports: [{ name: 'proxy', port, targetPort: port, protocol: 'TCP' }],
    },
  };
}

/** A service's after_ready actions as a Job: it reaches the service through its Service, ready pods only. */
export function afterReadyJob(ctx: ExportContext, s: ServiceSpec, keys: SecretKeys): IJob {
  const used = new Set<string>();
  const command = afterReadyEntrypoint(s).map((a) => expandable(a, keys, used));
  if (used.size > 0) throw new Error(`${s.name}: after_ready actions carry a secret`);
  // Labelled as its own, so the service's Services never select the job's pod.
  const metadata = metadataFor(ctx, afterReadyName(s.name), afterReadyName(s.name));
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata,
    spec: {
      backoffLimit: 6,
      template: {
        metadata: { labels: metadata.labels },
        spec: { restartPolicy: 'Never', containers: [{ name: 'actions', image: s.image, command }] },
      },
    },
  };
}
