// A service's `ready:` as a Kubernetes readiness probe. Kubernetes' own httpGet and tcpSocket probes
// when one plain probe says it all; otherwise one exec probe running every check in the container,
// with the shell snippets export compose derives (bash /dev/tcp, pg_isready, curl in Consul's image).
// Credentials never appear in the probe: an HTTP probe's Authorization header comes from the Secret
// through an env var, and a secret inside a command is read from one.
import type { IEnvVar, IProbe } from 'kubernetes-models/v1';
import type { ReadyProbe, ServiceSpec } from '../../stack/model.ts';
import { healthcheckFor } from '../healthcheck.ts';
import { shellQuote } from '../shell.ts';
import { type SecretKeys, secretEnvName, splitSecrets } from './secrets.ts';

export interface ProbeResult {
  readonly probe?: IProbe;
  /** Env vars the probe reads (from the Secret). */
  readonly env: IEnvVar[];
  /** Keys the Secret must hold for the probe (an Authorization header). */
  readonly secretData: Record<string, string>;
  /** Secret keys the container must receive as MKDEV_SECRET_* env vars. */
  readonly secretsUsed: Set<string>;
  readonly warnings: string[];
}

const PROBE_AUTH_ENV = 'MKDEV_PROBE_AUTHORIZATION';

type HttpProbe = Extract<ReadyProbe, { kind: 'http' }>;

interface Snippet {
  readonly script: string;
  readonly bash: boolean;
  readonly argv?: readonly string[];
}

export function readinessProbe(service: ServiceSpec, keys: SecretKeys, secretName: string): ProbeResult {
  const result: ProbeResult = { env: [], secretData: {}, secretsUsed: new Set(), warnings: [] };
  const ready = service.ready;
  if (ready === undefined) return result;
  const logs = ready.probes.filter((p) => p.kind === 'log');
  if (logs.length > 0) {
    result.warnings.push(
      `${service.name}: its readiness waits for a log line (${logs.map((p) => (p.kind === 'log' ? p.pattern : '')).join(', ')}), which no Kubernetes probe can see; it gets no readiness probe for it`,
    );
  }
  // A kong_route probe says the platform routes to the service: a condition for `up` to return, not
  // for the pod to receive traffic, and Kong reaches pods through Consul, not through Kubernetes
  // Services. Gating the pod on it would only couple the pod's readiness to Kong's.
  const probes = ready.probes.filter((p) => p.kind !== 'log' && p.kind !== 'kong_route');
  const timing = {
    periodSeconds: Math.max(1, Math.ceil(ready.intervalMs / 1000)),
    timeoutSeconds: 3,
    failureThreshold: 3,
  };
  const [only] = probes;
  if (only === undefined) return result;
  if (probes.length === 1 && only.kind === 'http' && isPlainHttp(only)) {
    const scheme = only.scheme === 'https' ? 'HTTPS' : 'HTTP';
    return { ...result, probe: { httpGet: { port: only.port, path: only.path, scheme }, ...timing } };
  }
  if (probes.length === 1 && only.kind === 'tcp') {
    return { ...result, probe: { tcpSocket: { port: only.port }, ...timing } };
  }
  const snippets = probes.map((p) => snippetFor(p, service, result, secretName));
  const command =
    snippets.length === 1 && snippets[0]?.argv && !hasSecret(snippets[0].argv, keys)
      ? [...snippets[0].argv]
      : [
          snippets.some((s) => s.bash) ? 'bash' : 'sh',
          '-c',
          withSecretsFromEnv(snippets.map((s) => s.script).join(' && '), keys, result.secretsUsed),
        ];
  return { ...result, probe: { exec: { command }, ...timing } };
}

/** Kubernetes' httpGet passes on 200-399 and checks no body. */
function isPlainHttp(p: HttpProbe): boolean {
  return (
    p.basicAuth === undefined && p.bodyIncludes === undefined && (p.status === undefined || p.status === 200)
  );
}

function hasSecret(argv: readonly string[], keys: SecretKeys): boolean {
  return argv.some((a) => splitSecrets(a, keys).some((p) => 'secret' in p));
}

/** Secrets inside single-quoted words are spliced in from their env var: '...'"${VAR}"'...'. */
function withSecretsFromEnv(script: string, keys: SecretKeys, used: Set<string>): string {
  return splitSecrets(script, keys)
    .map((p) => {
      if ('text' in p) return p.text;
      used.add(p.secret);
      return `'"\${${secretEnvName(p.secret)}}"'`;
    })
    .join('');
}

function snippetFor(
  probe: ReadyProbe,
  service: ServiceSpec,
  result: ProbeResult,
  secretName: string,
): Snippet {
  if (probe.kind === 'tcp') return { script: `exec 3<>/dev/tcp/127.0.0.1/${probe.port}`, bash: true };
  if (probe.kind === 'http' && probe.scheme === 'http')
    return httpSnippet(probe, service, result, secretName);
  const test = healthcheckFor({ probes: [probe], intervalMs: 1000, timeoutMs: 1000 })?.test ?? [];
  if (test[0] === 'CMD') {
    const argv = test.slice(1);
    return { script: argv.map(shellQuote).join(' '), bash: false, argv };
  }
  return { script: `{ ${test[1] ?? 'false'}; }`, bash: false };
}

/** GET over bash's /dev/tcp, the Authorization header read from an env var the Secret fills. */
function httpSnippet(
  probe: HttpProbe,
  service: ServiceSpec,
  result: ProbeResult,
  secretName: string,
): Snippet {
  let headers = 'Host: 127.0.0.1\\r\\n';
  let args = shellQuote(probe.path);
  if (probe.basicAuth) {
    const key = `${service.name}-probe-authorization`;
    result.secretData[key] =
      `Basic ${Buffer.from(`${probe.basicAuth.user}:${probe.basicAuth.password}`).toString('base64')}`;
    result.env.push({ name: PROBE_AUTH_ENV, valueFrom: { secretKeyRef: { name: secretName, key } } });
    headers += 'Authorization: %s\\r\\n';
    args += ` "$${PROBE_AUTH_ENV}"`;
  }
  const status = probe.status === undefined ? '[[ "$code" == 2?? ]]' : `[ "$code" = ${probe.status} ]`;
  const body =
    probe.bodyIncludes === undefined ? '' : ` && grep -qF -- ${shellQuote(probe.bodyIncludes)} <&3`;
  return {
    script: `exec 3<>/dev/tcp/127.0.0.1/${probe.port} && printf 'GET %s HTTP/1.0\\r\\n${headers}\\r\\n' ${args} >&3 && read -r _ code _ <&3 && ${status}${body}`,
    bash: true,
  };
}
