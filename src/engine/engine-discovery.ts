// Which Docker engine to talk to, decided as the Docker CLI decides it (docker/cli v29), so that mkdev,
// `docker ps` and testcontainers (told the same engine: testcontainers-engine.ts) see one engine:
// 1. DOCKER_HOST (cli/command/cli.go `resolveContextName`: it selects the `default` context, whatever
//    DOCKER_CONTEXT or config.json say), with TLS from DOCKER_TLS_VERIFY / DOCKER_TLS / DOCKER_CERT_PATH
//    (cli/flags/options.go:52-54, :110-116, :142-163; any non-empty DOCKER_TLS_VERIFY turns verification on);
// 2. DOCKER_CONTEXT, then `currentContext` of config.json, naming a context whose endpoint and TLS files
//    the context store holds (docker-contexts.ts); the name `default` means "no context";
// 3. the `default` context: the CLI then uses unix:///var/run/docker.sock (tcp://localhost:2376 when
//    TLS is asked for: opts/hosts.go `ParseHost`). The CLI stops there; mkdev, when that socket does not
//    exist, also looks where Docker Desktop, Colima, OrbStack, rootless Docker and Podman put theirs
//    (as testcontainers-node's UnixSocketStrategy and RootlessUnixSocketStrategy do, after
//    /var/run/docker.sock: packages/testcontainers/src/container-runtime/clients/client.ts:39-45).
// /var/run/docker.sock comes first among the sockets, as it does for the CLI: a Linux machine running
// Docker whose user also has a Podman or rootless socket would otherwise get a different engine from
// `docker ps`. Pure over its inputs (environment, home directory, files), so it is unit-tested.
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors.ts';
import { contextEndpoint, currentContextName, dockerConfigDir } from './docker-contexts.ts';

export interface EngineTls {
  /** Verify the engine's certificate (DOCKER_TLS_VERIFY, or a context without SkipTLSVerify). */
  readonly verify: boolean;
  /** PEM files, each only when it exists. */
  readonly caFile?: string;
  readonly certFile?: string;
  readonly keyFile?: string;
}

export type EngineEndpoint =
  /** A Unix socket or a Windows named pipe. */
  | { readonly kind: 'socket'; readonly uri: string; readonly path: string }
  | {
      readonly kind: 'tcp';
      readonly uri: string;
      readonly host: string;
      readonly port: number;
      readonly tls?: EngineTls;
    };

export interface EngineChoice {
  readonly endpoint: EngineEndpoint;
  /** Why this engine, for doctor and errors: "context colima from ~/.docker/config.json". */
  readonly source: string;
  /** Where mkdev looked, in order, and what it found there. */
  readonly tried: readonly string[];
}

export interface DiscoveryInput {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly home: string;
  readonly platform?: NodeJS.Platform;
  /** The CLI's default socket, /var/run/docker.sock; another path only in tests. */
  readonly defaultSocket?: string;
}

const DEFAULT_SOCKET = '/var/run/docker.sock';
const DEFAULT_PIPE = '//./pipe/docker_engine';

const SSH_HINT =
  'run mkdev on the machine the engine runs on: mkdev publishes ports on the engine host and bind-mounts paths of this machine, neither of which a remote engine sees';

/** A DOCKER_HOST-style address as the CLI parses it (opts/hosts.go `parseDockerDaemonHost`). */
export function parseEngineHost(value: string, where: string, tls?: EngineTls): EngineEndpoint {
  const trimmed = value.trim();
  const [scheme, rest] = trimmed.includes('://') ? trimmed.split(/:\/\/(.*)/s, 2) : ['tcp', trimmed];
  switch (scheme) {
    case 'unix': {
      const path = rest || DEFAULT_SOCKET;
      return { kind: 'socket', uri: `unix://${path}`, path };
    }
    case 'npipe': {
      const path = rest || DEFAULT_PIPE;
      return { kind: 'socket', uri: `npipe://${path}`, path };
    }
    case 'tcp': {
      let url: URL;
      try {
        url = new URL(`http://${rest}`);
      } catch {
        throw new UserError(`${where}: '${value}' is not an engine address`, {
          hint: 'use unix:///path/to/docker.sock, tcp://host:port or npipe:////./pipe/docker_engine',
        });
      }
      const host = url.hostname.replace(/^\[(.*)\]$/, '$1') || 'localhost';
      const port = Number(url.port || 2375);
      return {
        kind: 'tcp',
        uri: `tcp://${url.hostname || 'localhost'}:${port}`,
        host,
        port,
        ...(tls ? { tls } : {}),
      };
    }
    case 'ssh':
      throw new UserError(`${where}: ssh:// engines (${value}) are not supported`, { hint: SSH_HINT });
    default:
      throw new UserError(`${where}: '${value}' is not an engine address mkdev can use (${scheme}://)`, {
        hint: 'use unix:///path/to/docker.sock, tcp://host:port or npipe:////./pipe/docker_engine',
      });
  }
}

function pemFiles(dir: string, verify: boolean): EngineTls {
  const file = (name: string) => (existsSync(join(dir, name)) ? join(dir, name) : undefined);
  const [caFile, certFile, keyFile] = [file('ca.pem'), file('cert.pem'), file('key.pem')];
  return {
    verify,
    ...(caFile ? { caFile } : {}),
    ...(certFile ? { certFile } : {}),
    ...(keyFile ? { keyFile } : {}),
  };
}

function isSocket(path: string): boolean {
  try {
    // stat follows a symlink: a link to a live socket counts, a dangling one does not.
    return statSync(path).isSocket();
  } catch {
    return false;
  }
}

/** Well-known sockets after the default one, each with the engine that puts it there. */
function wellKnownSockets(env: DiscoveryInput['env'], home: string): { path: string; engine: string }[] {
  const runtime = env.XDG_RUNTIME_DIR;
  return [
    { path: join(home, '.docker', 'run', 'docker.sock'), engine: 'Docker Desktop' },
    { path: join(home, '.docker', 'desktop', 'docker.sock'), engine: 'Docker Desktop for Linux' },
    // Colima 0.4 and later put it in the profile's directory; earlier ones one level up (colima docs/FAQ.md).
    { path: join(home, '.colima', 'default', 'docker.sock'), engine: 'Colima' },
    { path: join(home, '.colima', 'docker.sock'), engine: 'Colima before 0.4' },
    { path: join(home, '.orbstack', 'run', 'docker.sock'), engine: 'OrbStack' },
    ...(runtime
      ? [
          { path: join(runtime, 'docker.sock'), engine: 'rootless Docker' },
          { path: join(runtime, 'podman', 'podman.sock'), engine: 'Podman' },
        ]
      : []),
  ];
}

/** Shortens paths under the home directory to ~ for messages. */
export function tildify(path: string, home: string): string {
  return home !== '' && path.startsWith(`${home}/`) ? `~${path.slice(home.length)}` : path;
}

export function discoverEngine(input: DiscoveryInput): EngineChoice {
  const { env, home } = input;
  const platform = input.platform ?? process.platform;
  const tried: string[] = [];
  const configDir = dockerConfigDir(env, home);
  // TLS of the `default` context, from the environment (sockets never use TLS: cli/context/docker/load.go `isSocket`).
  const tlsAsked = Boolean(env.DOCKER_TLS_VERIFY) || Boolean(env.DOCKER_TLS);
  const envTls = tlsAsked
    ? pemFiles(env.DOCKER_CERT_PATH || configDir, Boolean(env.DOCKER_TLS_VERIFY))
    : undefined;

  if (env.DOCKER_HOST) {
    return {
      endpoint: parseEngineHost(env.DOCKER_HOST, 'DOCKER_HOST', envTls),
      source: 'DOCKER_HOST',
      tried: [`DOCKER_HOST=${env.DOCKER_HOST}`],
    };
  }
  tried.push('DOCKER_HOST: not set');

  let context: { name: string; namedBy: string } | undefined;
  if (env.DOCKER_CONTEXT) {
    context = { name: env.DOCKER_CONTEXT, namedBy: 'DOCKER_CONTEXT' };
    tried.push(`DOCKER_CONTEXT=${env.DOCKER_CONTEXT}`);
  } else {
    tried.push('DOCKER_CONTEXT: not set');
    const configFile = tildify(join(configDir, 'config.json'), home);
    const name = currentContextName(configDir);
    tried.push(name ? `${configFile}: currentContext ${name}` : `${configFile}: no currentContext`);
    if (name) context = { name, namedBy: `currentContext in ${configFile}` };
  }
  if (context && context.name !== 'default') {
    const endpoint = contextEndpoint(configDir, context.name, context.namedBy);
    const tls =
      endpoint.tlsDir || endpoint.skipTlsVerify
        ? endpoint.tlsDir
          ? pemFiles(endpoint.tlsDir, !endpoint.skipTlsVerify)
          : { verify: false }
        : undefined;
    const where = `the Docker context '${context.name}'`;
    return {
      endpoint: parseEngineHost(endpoint.host, where, tls),
      source:
        context.namedBy === 'DOCKER_CONTEXT'
          ? `context ${context.name} from DOCKER_CONTEXT`
          : `context ${context.name} from ${context.namedBy.replace('currentContext in ', '')}`,
      tried,
    };
  }
  if (context) tried.push("context 'default': DOCKER_HOST, else the default socket");

  if (platform === 'win32') {
    return {
      endpoint: parseEngineHost(`npipe://${DEFAULT_PIPE}`, 'the default named pipe'),
      source: 'the default named pipe',
      tried,
    };
  }
  if (envTls) {
    // The CLI's default with TLS asked for and no DOCKER_HOST (opts/hosts.go `ParseHost`).
    return {
      endpoint: parseEngineHost('tcp://localhost:2376', 'DOCKER_TLS_VERIFY', envTls),
      source: 'DOCKER_TLS_VERIFY or DOCKER_TLS without DOCKER_HOST: the Docker CLI default',
      tried,
    };
  }
  const defaultSocket = input.defaultSocket ?? DEFAULT_SOCKET;
  const candidates = [{ path: defaultSocket, engine: 'the default socket' }, ...wellKnownSockets(env, home)];
  for (const candidate of candidates) {
    const shown = `${tildify(candidate.path, home)} (${candidate.engine})`;
    if (isSocket(candidate.path)) {
      return {
        endpoint: parseEngineHost(`unix://${candidate.path}`, candidate.engine),
        source:
          candidate.path === defaultSocket
            ? 'the default socket: no DOCKER_HOST, DOCKER_CONTEXT or current context'
            : `the ${candidate.engine} socket ${tildify(candidate.path, home)}: no DOCKER_HOST, DOCKER_CONTEXT or current context`,
        tried: [...tried, `${shown}: found`],
      };
    }
    tried.push(`${shown}: not there`);
  }
  return {
    endpoint: parseEngineHost(`unix://${defaultSocket}`, 'the default socket'),
    source: 'the default socket: no engine socket found anywhere',
    tried,
  };
}
