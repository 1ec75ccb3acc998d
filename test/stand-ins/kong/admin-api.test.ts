import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validator } from './helpers/kong.ts';
import { type Env, setupKong, teardown } from './helpers/setup.ts';

let env: Env;
beforeAll(async () => {
  env = await setupKong();
});
afterAll(() => teardown(env));

const api = (...a: Parameters<Env['kong']['api']>) => env.kong.api(...a);

describe('spec validator', () => {
  it('rejects a body that violates the published schema and undocumented statuses', () => {
    expect(() => validator.validate('GET', '/services/x', 200, { port: 'eighty' })).toThrow(
      /violates the spec/,
    );
    expect(() => validator.validate('GET', '/services/x', 418, {})).toThrow(/not documented/);
    expect(() => validator.validate('GET', '/plugins/enabled', 200, {})).toThrow(/not in the published spec/);
  });
});

describe('services', () => {
  it('creates with 201 and Kong defaults, from JSON or form bodies', async () => {
    const r = await api('POST', '/services', { name: 'svc-a', url: 'http://example.internal:8080/base' });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({
      name: 'svc-a',
      protocol: 'http',
      host: 'example.internal',
      port: 8080,
      path: '/base',
      retries: 5,
      connect_timeout: 60000,
      write_timeout: 60000,
      read_timeout: 60000,
      enabled: true,
      tags: null,
      client_certificate: null,
      tls_verify: null,
      tls_verify_depth: null,
      ca_certificates: null,
    });
    expect(r.body.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(Number.isInteger(r.body.created_at)).toBe(true);
    expect(r.body).not.toHaveProperty('url');
    const f = await api(
      'POST',
      '/services',
      { name: 'svc-form', host: 'h.internal', port: '9000' },
      { form: true },
    );
    expect(f.status).toBe(201);
    expect(f.body.port).toBe(9000);
  });

  it('GET by id and by name, 404 when absent', async () => {
    const c = await api('POST', '/services', { name: 'svc-get', host: 'g.internal' });
    expect((await api('GET', `/services/${c.body.id}`)).body.name).toBe('svc-get');
    expect((await api('GET', '/services/svc-get')).body.id).toBe(c.body.id);
    const nf = await api('GET', '/services/does-not-exist');
    expect(nf.status).toBe(404);
    expect(nf.body).toEqual({ message: 'Not found' });
  });

  it('PUT upserts with 200 (create and replace), refuses a different name in the body', async () => {
    const a = await api('PUT', '/services/svc-put', { host: 'one.internal' });
    expect(a.status).toBe(200);
    expect(a.body.name).toBe('svc-put');
    const b = await api('PUT', '/services/svc-put', { host: 'two.internal', port: 81 });
    expect(b.status).toBe(200);
    expect(b.body.id).toBe(a.body.id);
    expect(b.body.host).toBe('two.internal');
    const c = await api('PUT', '/services/svc-put', { host: 'two.internal', name: 'other' });
    expect(c.status).toBe(400);
    expect(c.body.code).toBe(2);
  });

  it('PATCH 200 merges; DELETE 204 also when absent', async () => {
    await api('POST', '/services', { name: 'svc-patch', host: 'p.internal' });
    const p = await api('PATCH', '/services/svc-patch', { retries: 2 });
    expect(p.status).toBe(200);
    expect(p.body).toMatchObject({ retries: 2, host: 'p.internal' });
    const missing = await api('PATCH', '/services/nope-nope', { retries: 2 });
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({
      code: 6,
      name: 'not found',
      message: `could not find the entity with '{name="nope-nope"}'`,
      fields: { name: 'nope-nope' },
    });
    expect((await api('PATCH', '/services/nope-nope', { port: 'x' })).status).toBe(400);
    expect((await api('DELETE', '/services/svc-patch')).status).toBe(204);
    expect((await api('DELETE', '/services/svc-patch')).status).toBe(204);
    expect((await api('GET', '/services/svc-patch')).status).toBe(404);
  });

  it('schema violations: unknown field, missing host, wrong types (code 2)', async () => {
    const u = await api('POST', '/services', { name: 'svc-bad', host: 'x.internal', colour: 'red' });
    expect(u.status).toBe(400);
    expect(u.body).toEqual({
      code: 2,
      name: 'schema violation',
      message: 'schema violation (colour: unknown field)',
      fields: { colour: 'unknown field' },
    });
    const m = await api('POST', '/services', { name: 'svc-bad' });
    expect(m.body.fields).toEqual({ host: 'required field missing' });
    const t = await api('POST', '/services', { host: 'x.internal', port: 'eighty', retries: -1 });
    expect(t.body.message).toBe(
      '2 schema violations (port: expected an integer; retries: value should be between 0 and 32767)',
    );
  });

  it('unique violation is 409 code 5', async () => {
    await api('POST', '/services', { name: 'svc-dup', host: 'd.internal' });
    const d = await api('POST', '/services', { name: 'svc-dup', host: 'd.internal' });
    expect(d.status).toBe(409);
    expect(d.body).toEqual({
      code: 5,
      name: 'unique constraint violation',
      message: `UNIQUE violation detected on '{name="svc-dup"}'`,
      fields: { name: 'svc-dup' },
    });
  });

  it('refuses other content types with 415', async () => {
    const r = await api('POST', '/services', 'name=x', { contentType: 'text/plain' });
    expect(r.status).toBe(415);
  });
});

describe('routes', () => {
  it('nested create, route defaults, /routes/{r}/service, and delete protection of the service', async () => {
    await api('POST', '/services', { name: 'svc-r', host: 'r.internal' });
    const r = await api('POST', '/services/svc-r/routes', { name: 'route-r', paths: ['/r'] });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({
      protocols: ['http', 'https'],
      strip_path: true,
      preserve_host: false,
      regex_priority: 0,
      https_redirect_status_code: 426,
      path_handling: 'v0',
      request_buffering: true,
      response_buffering: true,
      methods: null,
      hosts: null,
      headers: null,
      snis: null,
      sources: null,
      destinations: null,
      tags: null,
    });
    const list = await api('GET', '/services/svc-r/routes');
    expect(list.body.data.map((x: { name: string }) => x.name)).toEqual(['route-r']);
    expect(list.body.next).toBeNull();
    const svc = await api('GET', '/routes/route-r/service', undefined, { allowUndocumented: true });
    expect(svc.body.name).toBe('svc-r');
    expect((await api('GET', '/services/svc-r/routes/route-r')).status).toBe(200);
    const del = await api('DELETE', '/services/svc-r');
    expect(del.status).toBe(400);
    expect(del.body.message).toBe("an existing 'routes' entity references this 'services' entity");
    expect((await api('GET', '/services/no-such/routes')).status).toBe(404);
  });

  it('paths must start with / or ~/, and a route needs paths, hosts or methods', async () => {
    const p = await api('POST', '/routes', { paths: ['api'] });
    expect(p.status).toBe(400);
    expect(p.body.fields).toEqual({ paths: ['should start with: / (fixed path) or ~/ (regex path)'] });
    const none = await api('POST', '/routes', { name: 'empty-route' });
    expect(none.status).toBe(400);
    expect(none.body.message).toBe(
      "schema violation (must set one of 'methods', 'hosts', 'headers', 'paths', 'snis' when 'protocols' is 'https')",
    );
    expect((await api('POST', '/routes', { methods: ['GET'] })).status).toBe(201);
    expect((await api('POST', '/routes', { paths: ['~/v\\d+/x'] })).status).toBe(201);
  });

  it('a foreign key to a missing service is code 4', async () => {
    const r = await api('POST', '/routes', {
      paths: ['/fk'],
      service: { id: '8a0b0c5e-5f7e-4bd0-9a39-0c2c4a1d2f00' },
    });
    expect(r.status).toBe(400);
    expect(r.body.code).toBe(4);
  });

  it('a foreign key may be given by the service name, as Kong documents; stored and returned as the id', async () => {
    const svc = await api('PUT', '/services/by-name-svc', { url: 'http://example.com' });
    expect(svc.status).toBe(200);
    const route = await api('PUT', '/routes/by-name-route', {
      paths: ['/by-name'],
      service: { name: 'by-name-svc' },
    });
    expect(route.status).toBe(200);
    expect(route.body.service).toEqual({ id: svc.body.id });
    const missing = await api('POST', '/routes', { paths: ['/nope'], service: { name: 'no-such-service' } });
    expect(missing.status).toBe(400);
    expect(missing.body).toMatchObject({
      code: 4,
      message: `the foreign key '{name="no-such-service"}' does not reference an existing 'services' entity.`,
      fields: { service: { name: 'no-such-service' } },
    });
  });
});

describe('pagination and tags', () => {
  it('pages with size/offset/next; last page has next null and no offset', async () => {
    for (let i = 0; i < 5; i++) await api('POST', '/consumers', { username: `pager-${i}`, tags: ['pager'] });
    const seen: string[] = [];
    let path = '/consumers?size=2&tags=pager';
    let pages = 0;
    for (;;) {
      const r = await api('GET', path);
      pages++;
      seen.push(...r.body.data.map((c: { username: string }) => c.username));
      if (r.body.next === null) {
        expect(r.body).not.toHaveProperty('offset');
        break;
      }
      expect(typeof r.body.offset).toBe('string');
      path = r.body.next;
    }
    expect(pages).toBe(3);
    expect(seen.sort()).toEqual(['pager-0', 'pager-1', 'pager-2', 'pager-3', 'pager-4']);
  });

  it('size and offset errors are codes 9 and 7', async () => {
    expect((await api('GET', '/services?size=abc')).body).toEqual({
      code: 9,
      name: 'invalid size',
      message: 'size must be a number',
    });
    expect((await api('GET', '/services?size=1001')).body.code).toBe(9);
    const o = await api('GET', '/services?offset=!!');
    expect(o.status).toBe(400);
    expect(o.body.code).toBe(7);
  });

  it('tags a,b means AND and a/b means OR', async () => {
    await api('POST', '/upstreams', { name: 'tag-both.internal', tags: ['ta', 'tb'] });
    await api('POST', '/upstreams', { name: 'tag-a.internal', tags: ['ta'] });
    await api('POST', '/upstreams', { name: 'tag-b.internal', tags: ['tb'] });
    const names = async (q: string) =>
      ((await api('GET', `/upstreams?tags=${q}`)).body.data as { name: string }[]).map((u) => u.name).sort();
    expect(await names('ta,tb')).toEqual(['tag-both.internal']);
    expect(await names('ta/tb')).toEqual(['tag-a.internal', 'tag-b.internal', 'tag-both.internal']);
  });
});

describe('upstreams and targets', () => {
  it('targets default to port 8000 and weight 100; duplicates 409; by id or host:port; /all', async () => {
    const u = await api('POST', '/upstreams', { name: 'orders.upstream' });
    expect(u.body).toMatchObject({
      algorithm: 'round-robin',
      slots: 10000,
      hash_on: 'none',
      use_srv_name: false,
    });
    const t = await api('POST', '/upstreams/orders.upstream/targets', { target: '10.0.0.1' });
    expect(t.status).toBe(201);
    expect(t.body).toMatchObject({ target: '10.0.0.1:8000', weight: 100, upstream: { id: u.body.id } });
    expect(
      (await api('POST', '/upstreams/orders.upstream/targets', { target: '10.0.0.1:8000' })).status,
    ).toBe(409);
    expect((await api('GET', '/upstreams/orders.upstream/targets/10.0.0.1:8000')).body.id).toBe(t.body.id);
    expect((await api('GET', `/upstreams/orders.upstream/targets/${t.body.id}`)).status).toBe(200);
    const all = await api('GET', '/upstreams/orders.upstream/targets/all', undefined, {
      allowUndocumented: true,
    });
    expect(all.body.data).toHaveLength(1);
    expect((await api('DELETE', '/upstreams/orders.upstream/targets/10.0.0.1:8000')).status).toBe(204);
    expect((await api('GET', '/upstreams/orders.upstream/targets')).body.data).toHaveLength(0);
    expect((await api('POST', '/upstreams', { name: 'not a host' })).status).toBe(400);
  });
});

describe('consumers and plugins', () => {
  it('consumers need username or custom_id; PUT by username', async () => {
    expect((await api('POST', '/consumers', {})).status).toBe(400);
    const c = await api('PUT', '/consumers/alice', { custom_id: 'a-1' });
    expect(c.status).toBe(200);
    expect(c.body).toMatchObject({ username: 'alice', custom_id: 'a-1' });
  });

  it('prometheus plugin: defaults, duplicates 409, enabled_in_cluster, unknown plugins refused', async () => {
    const p = await api('POST', '/plugins', { name: 'prometheus' });
    expect(p.status).toBe(201);
    expect(p.body).toMatchObject({
      enabled: true,
      protocols: ['grpc', 'grpcs', 'http', 'https'],
      route: null,
      service: null,
      consumer: null,
      config: {
        per_consumer: false,
        status_code_metrics: false,
        latency_metrics: false,
        bandwidth_metrics: false,
        upstream_health_metrics: false,
      },
    });
    expect((await api('POST', '/plugins', { name: 'prometheus' })).status).toBe(409);
    expect((await api('POST', '/plugins', { name: 'no-such-plugin' })).status).toBe(400);
    const root = await api('GET', '/');
    expect(root.body.plugins.enabled_in_cluster).toContain('prometheus');
    const enabled = await api('GET', '/plugins/enabled', undefined, { allowUndocumented: true });
    expect(enabled.body.enabled_plugins).toContain('prometheus');
    expect(
      (await api('PATCH', `/plugins/${p.body.id}`, { config: { status_code_metrics: true } })).body.config,
    ).toMatchObject({
      status_code_metrics: true,
      per_consumer: false,
    });
    expect((await api('DELETE', `/plugins/${p.body.id}`)).status).toBe(204);
  });

  it('service-scoped plugins are listed under the service', async () => {
    await api('POST', '/services', { name: 'svc-plug', host: 'pl.internal' });
    expect((await api('POST', '/services/svc-plug/plugins', { name: 'prometheus' })).status).toBe(201);
    const l = await api('GET', '/services/svc-plug/plugins');
    expect(l.body.data).toHaveLength(1);
  });
});

describe('node information', () => {
  it('GET / and GET /status', async () => {
    const r = await api('GET', '/');
    expect(r.body).toMatchObject({ tagline: 'Welcome to kong', edition: 'community' });
    expect(r.body.version).toMatch(/^3\.9\./);
    expect(r.body.configuration.pg_password).toBe('******');
    const s = await api('GET', '/status');
    expect(s.body.database).toEqual({ reachable: true });
    expect(typeof s.body.server.total_requests).toBe('number');
  });
});
