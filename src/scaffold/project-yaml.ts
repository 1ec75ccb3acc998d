// Adds a service to mkdev.yaml through the `yaml` package's Document API, so the user's comments,
// ordering and formatting survive; only the new entry is written in mkdev's own style.
import { type Document, isMap, isScalar, parseDocument, Scalar, YAMLMap, YAMLSeq } from 'yaml';
import { UserError } from '../errors.ts';
import { endpointPort } from '../stack/roles.ts';

export type Language = 'ts' | 'python' | 'go';

export interface ServiceEntry {
  readonly name: string;
  readonly language: Language;
  readonly port: number;
  readonly routePath: string;
  /** The services holding the roles it talks to (default: the default stack's names). */
  readonly platform?: PlatformNames;
}

/** Who plays the roles a scaffolded service talks to: it reaches them by these names. */
export interface PlatformNames {
  readonly gateway: string;
  readonly discovery: string;
  readonly broker: string;
  readonly traces: string;
}

export const DEFAULT_PLATFORM_NAMES: PlatformNames = {
  gateway: 'kong',
  discovery: 'consul',
  broker: 'rabbitmq',
  traces: 'traces',
};

export interface ImageArg {
  /** The variable that picks another image per machine, e.g. MKDEV_NODE_IMAGE. */
  readonly variable: string;
  /** The official image the template names by default. */
  readonly image: string;
}

/**
 * The images each template's Dockerfile starts `FROM`, as build args (each overridable per machine and
 * mapped through the image map): BASE_IMAGE, the image the service runs on; for Go also BUILD_IMAGE,
 * the toolchain of the first stage (the binary then runs on a slim Debian).
 */
export const IMAGE_ARGS: Readonly<Record<Language, Readonly<Record<string, ImageArg>>>> = {
  ts: { BASE_IMAGE: { variable: 'MKDEV_NODE_IMAGE', image: 'node:24-bookworm-slim' } },
  python: { BASE_IMAGE: { variable: 'MKDEV_PYTHON_IMAGE', image: 'python:3.13-slim-trixie' } },
  go: {
    BUILD_IMAGE: { variable: 'MKDEV_GO_IMAGE', image: 'golang:1.27-trixie' },
    BASE_IMAGE: { variable: 'MKDEV_GO_RUNTIME_IMAGE', image: 'debian:trixie-slim' },
  },
};

/** The secret the default stack gives RabbitMQ's `mkdev` user (stacks/microkubes.yaml). */
const rabbitmqUrl = (broker: string) =>
  `amqp://mkdev:\${secret:rabbitmq-password}@${broker}:${endpointPort('broker', 'amqp')}`;

function quoted(value: string): Scalar {
  const scalar = new Scalar(value);
  scalar.type = Scalar.QUOTE_DOUBLE;
  return scalar;
}

function flowMap(doc: Document, entries: Record<string, unknown>): YAMLMap {
  const map = doc.createNode(entries) as YAMLMap;
  map.flow = true;
  return map;
}

function serviceNode(doc: Document, entry: ServiceEntry): YAMLMap {
  const { name, port, routePath } = entry;
  const p = entry.platform ?? DEFAULT_PLATFORM_NAMES;
  const service = new YAMLMap();
  const build = new YAMLMap();
  build.set('context', `services/${name}`);
  const args = Object.entries(IMAGE_ARGS[entry.language]).map(
    ([arg, { variable, image }]) => [arg, quoted(`\${${variable}:-${image}}`)] as const,
  );
  build.set('args', flowMap(doc, Object.fromEntries(args)));
  service.set('build', build);
  service.set(
    'env',
    flowMap(doc, {
      SERVICE_NAME: name,
      PORT: quoted(String(port)),
      ROUTE_PATH: routePath,
      KONG_ADMIN_URL: `http://${p.gateway}:${endpointPort('gateway', 'admin')}`,
      CONSUL_URL: `http://${p.discovery}:${endpointPort('discovery', 'http')}`,
      RABBITMQ_URL: quoted(rabbitmqUrl(p.broker)),
      // The stack's trace receiver (OTLP/HTTP); `mkdev run` points it at its published port.
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://${p.traces}:${endpointPort('traces', 'otlp')}`,
      OTEL_SERVICE_NAME: name,
    }),
  );
  service.set(
    'depends_on',
    flowMap(doc, {
      [p.gateway]: { condition: 'ready' },
      [p.discovery]: { condition: 'ready' },
      [p.broker]: { condition: 'ready' },
    }),
  );
  // Registered is not reachable: ready once a request through Kong's proxy reaches it too.
  service.set(
    'ready',
    flowMap(doc, {
      http: { port, path: '/readyz' },
      kong_route: { path: `${routePath.replace(/\/+$/, '')}/healthz` },
    }),
  );
  const ports = new YAMLSeq();
  ports.flow = true;
  ports.add(quoted(String(port)));
  service.set('ports', ports);
  service.set('develop', doc.createNode({ watch: watchRules(entry) }));
  // No `register:`: the service registers itself (with its HTTP check). The registrator registering
  // the same ID too would race it, and Consul keeps a re-registered check's status, so the loser's
  // check state would win.
  return service;
}

/**
 * `mkdev watch`'s rules for a scaffolded service: TS and Python sources are synced and the process
 * restarted (no build step: Node strips types, Python runs the files; the image's supervisor replaces
 * the process in its container, see src/watch/restart-service-process.ts); a dependency change, or
 * one to the supervisor itself (PID 1, which a process restart keeps) or its standby, rebuilds the image. Go compiles,
 * so a source change rebuilds too (the dependencies' layer stays cached).
 */
export function watchRules(entry: ServiceEntry): Record<string, unknown>[] {
  const dir = `services/${entry.name}`;
  if (entry.language === 'go') {
    return [
      { path: dir, action: 'rebuild', include: ['*.go'], ignore: ['*_test.go'] },
      { path: `${dir}/go.mod`, action: 'rebuild' },
      { path: `${dir}/go.sum`, action: 'rebuild' },
    ];
  }
  if (entry.language === 'ts') {
    return [
      { path: `${dir}/src`, action: 'sync+restart', target: '/app/src' },
      { path: `${dir}/package.json`, action: 'rebuild' },
      { path: `${dir}/package-lock.json`, action: 'rebuild' },
      { path: `${dir}/supervisor.ts`, action: 'rebuild' },
      { path: `${dir}/standby.ts`, action: 'rebuild' },
    ];
  }
  return [
    {
      path: dir,
      action: 'sync+restart',
      target: '/app',
      include: ['*.py'],
      ignore: ['tests/', 'supervisor.py', 'standby.py'],
    },
    { path: `${dir}/requirements.txt`, action: 'rebuild' },
    { path: `${dir}/supervisor.py`, action: 'rebuild' },
    { path: `${dir}/standby.py`, action: 'rebuild' },
  ];
}

export function parseProjectFile(text: string, file: string): Document {
  const doc = parseDocument(text);
  const error = doc.errors[0];
  if (error) {
    const where = error.linePos?.[0] ? `${file}:${error.linePos[0].line}:${error.linePos[0].col}` : file;
    throw new UserError(`${where}: ${error.message.split('\n')[0]}`, {
      hint: 'fix the YAML, then run the command again',
    });
  }
  if (doc.contents !== null && !isMap(doc.contents)) {
    throw new UserError(`${file}: expected a mapping at the top (name:, services:, ...)`, {
      hint: "fix the file, or move it away and let 'mkdev new-service' write a new one",
    });
  }
  return doc;
}

function hasService(doc: Document, name: string): boolean {
  const services = doc.get('services', true);
  return isMap(services) && services.has(name);
}

/** Returns the new text of mkdev.yaml with the service added under `services:`. */
export function addService(doc: Document, entry: ServiceEntry, file: string): string {
  if (hasService(doc, entry.name)) {
    throw new UserError(`${file} already has a service '${entry.name}'`, {
      hint: 'pick another name, or remove that entry first',
    });
  }
  let services = doc.get('services', true);
  if (services === undefined || (isScalar(services) && services.value === null)) {
    // `services:` with only comments below parses as null: keep those comments above the new map.
    const map = new YAMLMap();
    if (isScalar(services) && services.comment) map.commentBefore = services.comment;
    doc.set('services', map);
    services = map;
  }
  if (!isMap(services))
    throw new UserError(`${file}: 'services' must be a mapping of service names to settings`, {
      hint: "write 'services:' followed by indented 'name:' entries",
    });
  services.set(entry.name, serviceNode(doc, entry));
  return doc.toString({ lineWidth: 0 });
}
