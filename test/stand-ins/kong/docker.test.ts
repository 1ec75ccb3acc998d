// The image contract, in Docker: mkdev-offline/kong-standin:3.9 with mkdev-offline/postgres:15.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireImage } from '../../../images/lib/test-docker.ts';
import { allLogs, execIn } from '../../../src/engine/container-ops.ts';
import { bashGet, docker, ipOf, KONG_IMAGE, PG_IMAGE, Resources } from './helpers/docker.ts';
import { apiCall, validator, waitFor } from './helpers/kong.ts';

await requireImage(KONG_IMAGE, PG_IMAGE);
const res = new Resources();
let network = '';
let pgHost = '';
const dbEnv = () => [
  `KONG_PG_HOST=${pgHost}`,
  'KONG_PG_USER=kong',
  'KONG_PG_PASSWORD=kongpass',
  'KONG_PG_DATABASE=kong',
];

describe('kong stand-in image', () => {
  beforeAll(async () => {
    network = await res.network();
    await (await res.kongDatabase(network)).start();
    pgHost = res.name('pg');
    await res.bootstrapKong(dbEnv(), network);
  });
  afterAll(() => res.cleanup());

  it('has the official image contract: entrypoint, cmd, user, stop signal, ports; bash yes, curl and wget no', async () => {
    const info = await docker.getImage(KONG_IMAGE).inspect();
    expect(info.Config.Entrypoint).toEqual(['/docker-entrypoint.sh']);
    expect(info.Config.Cmd).toEqual(['kong', 'docker-start']);
    expect(info.Config.User).toBe('kong');
    expect((info.Config as { StopSignal?: string }).StopSignal).toBe('SIGQUIT');
    // Kong/docker-kong ubuntu/Dockerfile (the official image): --interval=10s --timeout=10s --retries=10 CMD kong health
    expect(info.Config.Healthcheck).toMatchObject({
      Test: ['CMD-SHELL', 'kong health'],
      Interval: 10e9,
      Timeout: 10e9,
      Retries: 10,
    });
    expect(Object.keys(info.Config.ExposedPorts ?? {}).sort()).toEqual([
      '8000/tcp',
      '8001/tcp',
      '8443/tcp',
      '8444/tcp',
    ]);
    const r = await res.run('tools', {
      Image: KONG_IMAGE,
      Cmd: [
        'bash',
        '-c',
        'command -v bash && ! command -v curl && ! command -v wget && command -v kong && kong version',
      ],
      network,
    });
    expect(r.code, r.logs).toBe(0);
    expect(r.logs).toMatch(/3\.9\.\d+/);
  });

  it('bootstrap again reports already bootstrapped; list shows migrations', async () => {
    const again = await res.run('boot2', {
      Image: KONG_IMAGE,
      Cmd: ['kong', 'migrations', 'bootstrap'],
      Env: dbEnv(),
      network,
    });
    expect(again.code).toBe(0);
    expect(again.logs).toContain('Database already bootstrapped');
    const list = await res.run('list', {
      Image: KONG_IMAGE,
      Cmd: ['kong', 'migrations', 'list'],
      Env: dbEnv(),
      network,
    });
    expect(list.logs).toContain('core: 000_base');
  });

  it('docker-start: admin only inside the container by default; ready via the status listener', async () => {
    const kong = await res.container('kong-default', { Image: KONG_IMAGE, Env: dbEnv(), network });
    await kong.start();
    const ip = await ipOf(kong, network);
    const inside = await waitFor('status ready inside', async () => {
      const r = await execIn(kong, bashGet(8007, '/status/ready'));
      return r.output.includes('200') ? r.output : undefined;
    });
    expect(inside).toContain('{"message":"ready"}');
    const root = (await execIn(kong, bashGet(8001, '/'))).output;
    const [head = '', ...rest] = root.split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.[01] 200/);
    validator.validate('GET', '/', 200, JSON.parse(rest.join('\r\n\r\n')));
    expect(root).toContain('Welcome to kong');
    expect((await execIn(kong, ['kong', 'health'])).exitCode).toBe(0);
    await expect(fetch(`http://${ip}:8001/`)).rejects.toThrow();
    const proxy = await fetch(`http://${ip}:8000/nothing`);
    expect(proxy.status).toBe(404);
    await kong.stop({ t: 10 });
    // 0, not 137: it stopped by itself on SIGTERM, before the engine's kill.
    expect((await kong.inspect()).State.ExitCode).toBe(0);
  });

  it("reads the resolv.conf Docker writes: the container's search domains and ndots:0; DnsSearch ['.'] leaves none", async () => {
    // Docker copies the host's search line (or the container's DnsSearch) into the resolv.conf of a
    // container on a user-defined network and adds ndots:0; Kong's DNS client reads both
    // (kong/resty/dns/client.lua:643-654). A DnsSearch of "." writes no search line.
    const logsWith = async (base: string, dnsSearch: string[]) => {
      const kong = await res.container(base, {
        Image: KONG_IMAGE,
        Env: ['KONG_DATABASE=off', 'KONG_LOG_LEVEL=debug'],
        HostConfig: { DnsSearch: dnsSearch },
        network,
      });
      await kong.start();
      const logs = await waitFor('kong started', async () => {
        const l = await allLogs(kong);
        return l.includes('kong started') ? l : undefined;
      });
      await kong.stop({ t: 5 });
      return logs;
    };
    const searched = await logsWith('kong-search', ['corp.example']);
    expect(searched).toContain('[dns-client] ndots = 0\n');
    expect(searched).toContain('[dns-client] search = corp.example\n');
    const none = await logsWith('kong-nosearch', ['.']);
    expect(none).toContain('[dns-client] search = \n');
  });

  it('KONG_ADMIN_LISTEN / KONG_STATUS_LISTEN open them up; entities survive a container restart', async () => {
    const kong = await res.container('kong-open', {
      Image: KONG_IMAGE,
      Env: [...dbEnv(), 'KONG_ADMIN_LISTEN=0.0.0.0:8001', 'KONG_STATUS_LISTEN=0.0.0.0:8100'],
      network,
    });
    await kong.start();
    const ip = await ipOf(kong, network);
    await waitFor('ready', async () => (await fetch(`http://${ip}:8100/status/ready`)).status === 200);
    const admin = `http://${ip}:8001`;
    const created = await apiCall(admin, 'PUT', '/services/persisted', { host: 'persisted.internal' });
    expect(created.status).toBe(200);
    await kong.restart({ t: 10 });
    const ip2 = await ipOf(kong, network);
    await waitFor('ready again', async () => (await fetch(`http://${ip2}:8100/status/ready`)).status === 200);
    const again = await apiCall(`http://${ip2}:8001`, 'GET', '/services/persisted');
    expect(again.body.id).toBe(created.body.id);
  });
});
