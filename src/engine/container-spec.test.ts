import { describe, expect, it } from 'vitest';
import { configHash } from '../plan/config-hash.ts';
import type { ServiceSpec } from '../stack/model.ts';
import { normalizeService } from '../stack/normalize.ts';
import { MKDEV_VERSION } from '../version.ts';
import { containerCreateOptions } from './container-spec.ts';
import { LABEL } from './labels.ts';

const service = (over: Partial<ServiceSpec> = {}): ServiceSpec =>
  ({
    name: 'api',
    image: 'example/api:1',
    env: { A: '1' },
    ports: [{ target: 8080, published: 18080, hostIp: '127.0.0.1', protocol: 'tcp' }],
    volumes: [],
    dependsOn: {},
    requires: [],
    afterReady: [],
    afterCompleted: [],
    oneShot: false,
    replicas: 1,
    labels: {},
    restart: { name: 'unless-stopped' },
    ...over,
  }) as ServiceSpec;

const ctx = { project: 'shop', network: 'mkdev-shop', replica: 1, configHash: 'h1' };

describe('containerCreateOptions', () => {
  it('labels the container so mkdev finds, plans over and stops it, whatever the user labels say', () => {
    const options = containerCreateOptions(service({ labels: { [LABEL.project]: 'not-mine', team: 'a' } }), {
      ...ctx,
      extraLabels: { [LABEL.owner]: '1@h@2' },
    });
    expect(options.Labels).toEqual({
      team: 'a',
      [LABEL.owner]: '1@h@2',
      [LABEL.project]: 'shop',
      [LABEL.service]: 'api',
      [LABEL.replica]: '1',
      [LABEL.configHash]: 'h1',
      [LABEL.version]: MKDEV_VERSION,
      [LABEL.oneShot]: 'false',
    });
    expect(options.name).toBe('shop-api-1');
  });

  it('records what the service waits for, action targets included, for the stop order', () => {
    const job = service({
      dependsOn: { postgres: 'ready' },
      afterCompleted: [{ kind: 'consul_kv_put', service: 'consul', port: 8500, key: 'k', value: 'v' }],
    });
    expect(containerCreateOptions(job, ctx).Labels?.[LABEL.dependsOn]).toBe('postgres,consul');
    expect(containerCreateOptions(service(), ctx).Labels?.[LABEL.dependsOn]).toBeUndefined();
  });

  it('maps host.docker.internal to the host gateway unless the engine answers that name itself', () => {
    expect(containerCreateOptions(service(), ctx).HostConfig?.ExtraHosts).toEqual([
      'host.docker.internal:host-gateway',
    ]);
    expect(
      containerCreateOptions(service(), { ...ctx, hostGateway: false }).HostConfig?.ExtraHosts,
    ).toBeUndefined();
  });

  it('gives the fixed host port to the first replica only; the others get free ones', () => {
    const first = containerCreateOptions(service(), ctx).HostConfig?.PortBindings;
    const second = containerCreateOptions(service(), { ...ctx, replica: 2 }).HostConfig?.PortBindings;
    expect(first).toEqual({ '8080/tcp': [{ HostIp: '127.0.0.1', HostPort: '18080' }] });
    expect(second).toEqual({ '8080/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] });
  });

  it('scopes named volumes to the project and keeps host paths as they are', () => {
    const mounts = containerCreateOptions(
      service({
        volumes: [
          { kind: 'volume', source: 'data', target: '/data', readOnly: false },
          { kind: 'bind', source: '/home/me/conf', target: '/conf', readOnly: true },
        ],
      }),
      ctx,
    ).HostConfig?.Mounts;
    expect(mounts).toEqual([
      { Type: 'volume', Source: 'shop_data', Target: '/data', ReadOnly: false },
      { Type: 'bind', Source: '/home/me/conf', Target: '/conf', ReadOnly: true },
    ]);
  });

  it('joins the project network under the service name, and passes env, command and entrypoint', () => {
    const options = containerCreateOptions(service({ command: ['serve'], entrypoint: ['/init'] }), ctx);
    expect(options.NetworkingConfig?.EndpointsConfig).toEqual({ 'mkdev-shop': { Aliases: ['api'] } });
    expect(options.Env).toEqual(['A=1']);
    expect(options.Cmd).toEqual(['serve']);
    expect(options.Entrypoint).toEqual(['/init']);
    expect(containerCreateOptions(service(), ctx)).not.toHaveProperty('Cmd');
  });
});

const context = { project: 'demo', projectDir: '/p', images: {}, source: 'mkdev.yaml:1' };
const demoCtx = { project: 'demo', network: 'mkdev-demo', replica: 1, configHash: 'h' };

describe('restart policy on the container', () => {
  it("is the engine's RestartPolicy, with a retry count only for on-failure", () => {
    const service = normalizeService('api', { image: 'x' }, context);
    const job = normalizeService('job', { image: 'x', one_shot: true }, context);
    expect(containerCreateOptions(service, demoCtx).HostConfig?.RestartPolicy).toEqual({
      Name: 'unless-stopped',
    });
    expect(containerCreateOptions(job, demoCtx).HostConfig?.RestartPolicy).toEqual({
      Name: 'on-failure',
      MaximumRetryCount: 3,
    });
  });

  it('is part of the config hash: changing it recreates the service', () => {
    const a = normalizeService('api', { image: 'x' }, context);
    const b = normalizeService('api', { image: 'x', restart: 'no' }, context);
    expect(configHash(a)).not.toBe(configHash(b));
  });
});

describe('dns_search', () => {
  it("becomes the container's DnsSearch (a string or a list); none unless given", () => {
    const one = normalizeService('api', { image: 'x', dns_search: '.' }, context);
    const list = normalizeService(
      'api',
      { image: 'x', dns_search: ['corp.example', 'lab.example'] },
      context,
    );
    expect(containerCreateOptions(one, demoCtx).HostConfig?.DnsSearch).toEqual(['.']);
    expect(containerCreateOptions(list, demoCtx).HostConfig?.DnsSearch).toEqual([
      'corp.example',
      'lab.example',
    ]);
    expect(
      containerCreateOptions(normalizeService('api', { image: 'x' }, context), demoCtx).HostConfig,
    ).not.toHaveProperty('DnsSearch');
  });

  it('is part of the config hash only when given: other services keep their hash and their container', () => {
    const plain = normalizeService('api', { image: 'x' }, context);
    const searched = normalizeService('api', { image: 'x', dns_search: '.' }, context);
    expect(configHash(searched)).not.toBe(configHash(plain));
    // the hash of a service without dns_search is the one mkdev computed before the field existed
    const { dnsSearch: _, ...withoutField } = plain;
    expect(configHash(plain)).toBe(configHash(withoutField as ServiceSpec));
  });
});
