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
//   kong_route    as http, to Kong's proxy by its service name on the project network
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
const HEALTHCHECK_INTERVAL = '1s';

/** The probes of a readiness spec: all must pass. */
export function probesOf(ready: ReadySpec): readonly ReadyProbe[] {
  return ready.probes;
}

/** The probes a healthcheck cannot express (a log line is not visible from inside the container). */
export function uncheckableProbes(ready: ReadySpec): readonly ReadyProbe[] {
  return probesOf(ready).filter((p) => p.kind === 'log');
}

export function healthcheckFor(ready: ReadySpec | undefined): ComposeHealthcheck | undefined {
  const test = ready === undefined ? undefined : testFor(probesOf(ready).filter((p) => p.kind !== 'log'));
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

/** One probe as shell: bash (over /dev/tcp) when the image has bash, `sh` with common tools otherwise. */
interface ProbeCommand {
  readonly bash?: string;
  readonly sh: string;
  /** The exec form, when the probe is a single program with arguments. */
  readonly argv?: readonly string[];
}

function testFor(probes: readonly ReadyProbe[]): string[] | undefined {
  const commands = probes.map(commandFor);
  const [only] = commands;
  if (only === undefined) return undefined;
  if (commands.length === 1 && only.argv) return ['CMD', ...only.argv];
  // Bash for all of them when the image has bash: one shell, one test.
  if (commands.every((c) => c.bash !== undefined)) {
    return [
      'CMD-SHELL',
      `if command -v bash >/dev/null 2>&1; then exec bash -c ${shellQuote(commands.map((c) => c.bash).join(' && '))}; else ${commands.map((c) => c.sh).join(' && ')}; fi`,
    ];
  }
  return [
    'CMD-SHELL',
    commands
      .map((c) =>
        c.bash === undefined
          ? c.sh
          : `{ if command -v bash >/dev/null 2>&1; then bash -c ${shellQuote(c.bash)}; else ${c.sh}; fi; }`,
      )
      .join(' && '),
  ];
}

function commandFor(probe: ReadyProbe): ProbeCommand {
  switch (probe.kind) {
    case 'http':
      return httpCommand(probe);
    case 'tcp':
      return { bash: `exec 3<>/dev/tcp/127.0.0.1/${probe.port}`, sh: `nc -z 127.0.0.1 ${probe.port}` };
    case 'exec':
      return fromArgv(probe.command);
    case 'postgres':
      return fromArgv([
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
      ]);
    case 'consul_leader':
      // The leader's address, or "" while there is none.
      return { sh: `curl -fsS http://127.0.0.1:${probe.port}/v1/status/leader | grep -q '[0-9]'` };
    case 'consul_kv':
      return fromArgv([
        'curl',
        '-fsS',
        '-o',
        '/dev/null',
        `http://127.0.0.1:${probe.port}/v1/kv/${probe.key}`,
      ]);
    case 'kong_route':
      return httpCommand(
        { kind: 'http', port: probe.port, path: probe.path, status: probe.status, scheme: 'http' },
        probe.service,
      );
    case 'log':
      throw new Error('a log probe has no healthcheck');
  }
}

function fromArgv(argv: readonly string[]): ProbeCommand {
  return { argv, sh: argv.map(shellQuote).join(' ') };
}

type HttpProbe = Extract<ReadyProbe, { kind: 'http' }>;

function httpCommand(probe: HttpProbe, host = '127.0.0.1'): ProbeCommand {
  const auth = probe.basicAuth
    ? `Basic ${Buffer.from(`${probe.basicAuth.user}:${probe.basicAuth.password}`).toString('base64')}`
    : undefined;
  const https = probe.scheme === 'https';
  const url = `${probe.scheme}://${host}:${probe.port}${probe.path}`;
  const header = auth === undefined ? '' : ` --header ${shellQuote(`Authorization: ${auth}`)}`;
  const sink = probe.bodyIncludes === undefined ? '/dev/null' : '-';
  const body = probe.bodyIncludes === undefined ? '' : ` | grep -qF -- ${shellQuote(probe.bodyIncludes)}`;
  const wget = `wget -q -O ${sink}${https ? ' --no-check-certificate' : ''}${header} ${shellQuote(url)}${body}`;
  const curl = `curl -fsS${https ? 'k' : ''} -o ${sink}${header} ${shellQuote(url)}${body}`;
  const sh = `{ if command -v wget >/dev/null 2>&1; then ${wget}; else ${curl}; fi; }`;
  // bash's /dev/tcp speaks no TLS.
  if (https) return { sh };
  const send = bashSend({
    method: 'GET',
    host,
    port: probe.port,
    path: probe.path,
    ...(auth === undefined ? {} : { headers: { Authorization: auth } }),
  });
  // A body check reads the rest of the same response from fd 3.
  const check =
    probe.bodyIncludes === undefined ? '' : ` && grep -qF -- ${shellQuote(probe.bodyIncludes)} <&3`;
  return { bash: `${send} && ${bashStatusTest(probe.status)}${check}`, sh };
}
