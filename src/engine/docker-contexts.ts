// The Docker CLI's configuration, read the way the CLI reads it (docker/cli v29, cited by path):
// - the directory is DOCKER_CONFIG, else ~/.docker (cli/config/config.go `Dir`);
// - `currentContext` in its config.json names the context (cli/config/configfile/file.go);
// - a context lives in contexts/meta/<sha256 of its name>/meta.json, its TLS files in
//   contexts/tls/<sha256>/docker/{ca,cert,key}.pem (cli/context/store/store.go `contextdirOf`,
//   metadatastore.go, tlsstore.go, cli/context/tlsdata.go);
// - the endpoint is Endpoints.docker.{Host, SkipTLSVerify} (cli/context/endpoint.go).
// The CLI only warns about a config.json it cannot parse and carries on with none (config.go
// `LoadDefaultConfigFile`, whose FIXME says it should not): mkdev stops with the file and the fault
// instead of silently choosing another engine.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors.ts';

/** Where the Docker CLI keeps config.json and contexts/. */
export function dockerConfigDir(env: Readonly<Record<string, string | undefined>>, home: string): string {
  return env.DOCKER_CONFIG || join(home, '.docker');
}

function readJson(file: string, what: string, fix: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UserError(`cannot read ${file} (${what}): ${(error as Error).message}`, { hint: fix });
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UserError(`${file} (${what}) is not valid JSON: ${(error as Error).message}`, { hint: fix });
  }
}

/** `currentContext` of config.json, or undefined when the file or the field is absent. */
export function currentContextName(configDir: string): string | undefined {
  const file = join(configDir, 'config.json');
  if (!existsSync(file)) return undefined;
  const config = readJson(
    file,
    "the Docker CLI's configuration",
    `fix the JSON (or remove the file if it holds nothing you need); \`docker context use <name>\` rewrites currentContext`,
  );
  if (config === null || typeof config !== 'object' || Array.isArray(config)) {
    throw new UserError(`${file} (the Docker CLI's configuration) is not a JSON object`, {
      hint: 'fix the file, or remove it if it holds nothing you need',
    });
  }
  const name = (config as { currentContext?: unknown }).currentContext;
  if (name === undefined || name === '') return undefined;
  if (typeof name !== 'string') {
    throw new UserError(`${file}: currentContext must be a string, found ${JSON.stringify(name)}`, {
      hint: '`docker context use <name>` sets it',
    });
  }
  return name;
}

export interface ContextEndpoint {
  readonly host: string;
  readonly skipTlsVerify: boolean;
  /** The directory holding ca.pem, cert.pem and key.pem, when the context has TLS material. */
  readonly tlsDir: string | undefined;
}

const contextId = (name: string) => createHash('sha256').update(name).digest('hex');

/** The docker endpoint of a named context (not `default`, which the CLI builds from the environment). */
export function contextEndpoint(configDir: string, name: string, namedBy: string): ContextEndpoint {
  const id = contextId(name);
  const file = join(configDir, 'contexts', 'meta', id, 'meta.json');
  if (!existsSync(file)) {
    throw new UserError(`the Docker context '${name}' (${namedBy}) does not exist: no ${file}`, {
      hint: '`docker context ls` lists the contexts; `docker context use <name>` picks one (or unset DOCKER_CONTEXT)',
    });
  }
  const meta = readJson(
    file,
    `the Docker context '${name}'`,
    `recreate the context (\`docker context rm ${name}\`, then \`docker context create\`)`,
  ) as { Endpoints?: { docker?: { Host?: unknown; SkipTLSVerify?: unknown } } } | null;
  const endpoint = meta?.Endpoints?.docker;
  if (endpoint === undefined || typeof endpoint.Host !== 'string' || endpoint.Host === '') {
    throw new UserError(`the Docker context '${name}' (${namedBy}) has no docker endpoint host in ${file}`, {
      hint: `set one: docker context update ${name} --docker host=unix:///path/to/docker.sock`,
    });
  }
  const tlsDir = join(configDir, 'contexts', 'tls', id, 'docker');
  return {
    host: endpoint.Host,
    skipTlsVerify: endpoint.SkipTLSVerify === true,
    tlsDir: existsSync(tlsDir) ? tlsDir : undefined,
  };
}
