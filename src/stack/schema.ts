// The stack file's schema. One schema serves validation (with file:line:col errors) and the JSON Schema
// editors use (`stacks/mkdev.schema.json`). Every object is strict: a misspelt key is an error, not a no-op.
import * as z from 'zod';
import { parseDuration } from './duration.ts';
import { ROLE_NAMES } from './roles.ts';

const duration = z
  .union([z.string(), z.number()])
  .refine((v) => parseDuration(v) !== undefined, { message: 'expected a duration like 250ms, 2s or 1m' });
const port = z.number().int().min(1).max(65535);
const stringList = z.union([z.string(), z.array(z.string())]);
const scalar = z.union([z.string(), z.number(), z.boolean()]);

const httpProbe = z.strictObject({
  port,
  path: z.string().startsWith('/').default('/'),
  status: z.number().int().optional(),
  scheme: z.enum(['http', 'https']).optional(),
  basic_auth: z.strictObject({ user: z.string(), password: z.string() }).optional(),
  body_includes: z.string().optional(),
});

const readySchema = z
  .strictObject({
    http: httpProbe.optional(),
    tcp: z.strictObject({ port }).optional(),
    exec: z.strictObject({ command: z.array(z.string()).min(1) }).optional(),
    postgres: z
      .strictObject({
        port: port.default(5432),
        user: z.string(),
        password: z.string(),
        database: z.string(),
      })
      .optional(),
    consul_leader: z.strictObject({ port: port.default(8500) }).optional(),
    consul_kv: z.strictObject({ port: port.default(8500), key: z.string().min(1) }).optional(),
    log: z.strictObject({ pattern: z.string().min(1) }).optional(),
    /** A GET through Kong's proxy reaches the service: its route routes (Kong's router and DNS agree). */
    kong_route: z
      .strictObject({
        path: z.string().startsWith('/'),
        status: z.number().int().default(200),
        /** Whose published port the GET goes through; default: the service with role gateway. */
        service: z.string().optional(),
        /** Default: the gateway's proxy port (src/stack/roles.ts). */
        port: port.optional(),
      })
      .optional(),
    interval: duration.optional(),
    timeout: duration.optional(),
  })
  .refine(
    (r) =>
      ['http', 'tcp', 'exec', 'postgres', 'consul_leader', 'consul_kv', 'log', 'kong_route'].some(
        (k) => k in r,
      ),
    {
      message:
        'name at least one probe (all must pass): http, tcp, exec, postgres, consul_leader, consul_kv, log or kong_route',
    },
  );

const actionSchema = z.union([
  z.strictObject({
    consul_kv_put: z.strictObject({
      /** Default: the service with role discovery. */
      service: z.string().optional(),
      port: port.default(8500),
      key: z.string(),
      value: z.string(),
    }),
  }),
  z.strictObject({
    kong_plugin: z.strictObject({
      port: port.default(8001),
      name: z.string(),
      config: z.record(z.string(), z.unknown()).optional(),
    }),
  }),
]);

/** "CONTAINER", "HOST:CONTAINER" or "IP:HOST:CONTAINER", optionally /udp: (ip)(host)(container)(protocol). */
export const PORT_PATTERN = /^(?:(\d{1,3}(?:\.\d{1,3}){3}):)?(?:(\d+):)?(\d+)(?:\/(tcp|udp))?$/;

const portEntry = z.union([
  z.string().regex(PORT_PATTERN, {
    message: 'expected "CONTAINER", "HOST:CONTAINER" or "IP:HOST:CONTAINER" (optionally /udp)',
  }),
  z.number().int().min(1).max(65535),
  z.strictObject({
    target: port,
    published: z.number().int().min(0).max(65535).optional(),
    host_ip: z.string().optional(),
    protocol: z.enum(['tcp', 'udp']).optional(),
  }),
]);

const condition = z.enum(['started', 'ready', 'completed']);

/** Compose's `develop.watch` vocabulary: what `mkdev watch` does when files under `path` change. */
const watchRuleSchema = z
  .strictObject({
    /** A file or directory, relative to the project directory. */
    path: z.string().min(1),
    action: z.enum(['sync', 'rebuild', 'sync+restart', 'sync+exec']),
    /** Where `path` lands in the container (sync actions). */
    target: z
      .string()
      .startsWith('/', { message: 'target is a path in the container: it starts with /' })
      .optional(),
    /** gitignore-style patterns, relative to `path`, that never trigger this rule. */
    ignore: z.array(z.string()).optional(),
    /** gitignore-style patterns, relative to `path`: only matching files trigger this rule. */
    include: z.array(z.string()).optional(),
    exec: z.strictObject({ command: stringList }).optional(),
  })
  .refine((r) => r.action === 'rebuild' || r.target !== undefined, {
    message: 'sync actions need a target (where the files go in the container)',
    path: ['target'],
  })
  .refine((r) => r.action !== 'sync+exec' || r.exec !== undefined, {
    message: 'action sync+exec needs exec: { command: [...] }',
    path: ['exec'],
  });

const serviceSchema = z.strictObject({
  /** The platform role this service plays (one service per role): what mkdev finds it by, not its name. */
  role: z.enum(ROLE_NAMES as [string, ...string[]]).optional(),
  image: z.string().min(1).optional(),
  build: z
    .union([
      z.string(),
      z.strictObject({
        context: z.string(),
        dockerfile: z.string().optional(),
        args: z.record(z.string(), scalar).optional(),
      }),
    ])
    .optional(),
  env: z
    .record(
      z
        .string()
        .regex(
          /^[A-Za-z_][A-Za-z0-9_]*$/,
          'an environment variable name is letters, digits and _, not starting with a digit',
        ),
      scalar.nullable(),
    )
    .optional(),
  ports: z.array(portEntry).optional(),
  volumes: z
    .array(z.string().regex(/^[^:]+:\/[^:]*(:ro|:rw)?$/, { message: 'expected "SOURCE:/path[:ro]"' }))
    .optional(),
  command: stringList.optional(),
  entrypoint: stringList.optional(),
  depends_on: z
    .union([
      z.array(z.string()),
      z.record(
        z.string(),
        z.strictObject({
          condition,
          /** Compose's: this service is restarted (mkdev: recreated) when `up` changes the dependency. */
          restart: z.boolean().optional(),
        }),
      ),
    ])
    .optional(),
  /** Services brought up with this one that it does not wait for (it waits in its own way, e.g. a KV flag). */
  requires: z.array(z.string()).optional(),
  ready: readySchema.optional(),
  one_shot: z.boolean().optional(),
  /** What the engine does when the container exits: Compose's vocabulary. */
  restart: z
    .string()
    .regex(/^(no|always|unless-stopped|on-failure(:[1-9]\d{0,2})?)$/, {
      message: 'allowed: no, always, unless-stopped, on-failure or on-failure:N (N retries, 1-999)',
    })
    .optional(),
  replicas: z.number().int().min(0).max(20).optional(),
  hostname: z.string().optional(),
  /** Compose's: the container's resolv.conf search domains; `.` writes none (not the host's). */
  dns_search: z.union([z.string(), z.array(z.string())]).optional(),
  user: z.string().optional(),
  labels: z.record(z.string(), z.string()).optional(),
  register: z.strictObject({ port, name: z.string().optional() }).optional(),
  exports: z
    .record(
      z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'an export name is UPPER_CASE letters, digits and _'),
      z.string(),
    )
    .optional(),
  after_ready: z.array(actionSchema).optional(),
  after_completed: z.array(actionSchema).optional(),
  disabled: z.boolean().optional(),
  develop: z.strictObject({ watch: z.array(watchRuleSchema).min(1) }).optional(),
});

export const stackFileSchema = z.strictObject({
  $schema: z.string().optional(),
  name: z.string().optional(),
  /** Which stack this file builds on: "default" (the Microkubes stack, the default) or "none". */
  extends: z.enum(['default', 'none']).optional(),
  images: z.record(z.string(), z.string()).optional(),
  services: z
    .record(
      z
        .string()
        .regex(
          /^[a-z0-9][a-z0-9-]{0,62}$/,
          'a service name is a DNS label: lower-case letters, digits and -, at most 63',
        ),
      serviceSchema.nullable(),
    )
    // `services:` with only comments under it (as `mkdev init` writes it) is null: no services.
    .nullable()
    .optional(),
});

export type StackFile = z.infer<typeof stackFileSchema>;
export type ServiceFile = z.infer<typeof serviceSchema>;
export type ReadyFile = z.infer<typeof readySchema>;
export type ActionFile = z.infer<typeof actionSchema>;
export type WatchRuleFile = z.infer<typeof watchRuleSchema>;
