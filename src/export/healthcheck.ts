// A service's readiness probe as a Compose healthcheck. The check runs INSIDE the container, so each
// kind uses a tool that both the official image and the offline set have (checked by
// test/export-compose.test.ts against the offline images):
//   http          bash /dev/tcp; images without bash (prom/prometheus is busybox) fall back to wget,
//                 then curl
//   postgres      pg_isready over TCP (the init-time server listens on no TCP port, so this is not
//                 fooled by it)
//   consul_*      curl, which hashicorp/consul ships (and its stand-in)
//   tcp           bash /dev/tcp, else nc
//   exec          the probe's own command
//   log           nothing can read a container's own log from inside it: no healthcheck
import type { ReadyProbe, ReadySpec } from '../stack/model.ts';
import { bashSend, bashStatusTest, shellQuote } from './shell.ts';

export interface ComposeHealthcheck {
  readonly test: readonly string[];
  readonly interval: string;
  readonly timeout: string;
  readonly retries: number;
  readonly start_period: string;
}

/** Compose's default polls every 30 s; mkdev's point is speed, so every check runs each second. */
export const HEALTHCHECK_INTERVAL = '1s';

export function healthcheckFor(ready: ReadySpec | undefined): ComposeHealthcheck | undefined {
  const test = ready === undefined ? undefined : testFor(ready.probe);
  if (ready === undefined || test === undefined) return undefined;
  return {
    test,
    interval: HEALTHCHECK_INTERVAL,
    timeout: '3s',
    retries: 3,
    // Failures during start-up do not count, so a slow first start is not "unhealthy" (which would
    // make docker-compose 1.29 abort dependants); the first success counts at once.
    start_period: `${Math.ceil(ready.timeoutMs / 1000)}s`,
  };
}

function testFor(probe: ReadyProbe): string[] | undefined {
  switch (probe.kind) {
    case 'http':
      return ['CMD-SHELL', httpCheck(probe)];
    case 'tcp':
      return [
        'CMD-SHELL',
        `if command -v bash >/dev/null 2>&1; then exec bash -c ${shellQuote(`exec 3<>/dev/tcp/127.0.0.1/${probe.port}`)}; else exec nc -z 127.0.0.1 ${probe.port}; fi`,
      ];
    case 'exec':
      return ['CMD', ...probe.command];
    case 'postgres':
      return [
        'CMD',
        'pg_isready',
        '-q',
        '-h',
        '127.0.0.1',
        '-p',
        String(probe.port),
        '-U',
        probe.user,
        '-d',
        probe.database,
      ];
    case 'consul_leader':
      // The leader's address, or "" while there is none.
      return ['CMD-SHELL', `curl -fsS http://127.0.0.1:${probe.port}/v1/status/leader | grep -q '[0-9]'`];
    case 'consul_kv':
      return ['CMD', 'curl', '-fsS', '-o', '/dev/null', `http://127.0.0.1:${probe.port}/v1/kv/${probe.key}`];
    case 'log':
      return undefined;
  }
}

type HttpProbe = Extract<ReadyProbe, { kind: 'http' }>;

function httpCheck(probe: HttpProbe): string {
  const auth = probe.basicAuth
    ? `Basic ${Buffer.from(`${probe.basicAuth.user}:${probe.basicAuth.password}`).toString('base64')}`
    : undefined;
  const url = `${probe.scheme}://127.0.0.1:${probe.port}${probe.path}`;
  const header = auth === undefined ? '' : ` --header ${shellQuote(`Authorization: ${auth}`)}`;
  const sink = probe.bodyIncludes === undefined ? '/dev/null' : '-';
  const wget = `wget -q -O ${sink}${probe.scheme === 'https' ? ' --no-check-certificate' : ''}${header} ${shellQuote(url)}`;
  const curl = `curl -fsS${probe.scheme === 'https' ? 'k' : ''} -o ${sink}${header} ${shellQuote(url)}`;
  const body = probe.bodyIncludes === undefined ? '' : ` | grep -qF -- ${shellQuote(probe.bodyIncludes)}`;
  const fallbacks = `elif command -v wget >/dev/null 2>&1; then ${wget}${body}; else ${curl}${body}; fi`;
  if (probe.scheme === 'https') return `if false; then :; ${fallbacks}`;
  const send = bashSend({
    method: 'GET',
    host: '127.0.0.1',
    port: probe.port,
    path: probe.path,
    ...(auth === undefined ? {} : { headers: { Authorization: auth } }),
  });
  // A body check reads the rest of the same response from fd 3.
  const bash = `${send} && ${bashStatusTest(probe.status)}${probe.bodyIncludes === undefined ? '' : ` && grep -qF -- ${shellQuote(probe.bodyIncludes)} <&3`}`;
  return `if command -v bash >/dev/null 2>&1; then exec bash -c ${shellQuote(bash)}; ${fallbacks}`;
}
