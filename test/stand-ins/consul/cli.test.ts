import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, killChildren, leaderOf, runConsul, waitFor } from './helpers.ts';

const dirs: string[] = [];
const tempDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'consul-standin-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  killChildren();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function startServer(dataDir: string, extra: string[] = []) {
  const http = await freePort();
  const dnsPort = await freePort();
  const child = runConsul([
    'agent',
    '-server',
    '-bootstrap-expect=1',
    `-data-dir=${dataDir}`,
    '-ui',
    '-bind=127.0.0.1',
    '-client=127.0.0.1',
    `-http-port=${http}`,
    `-dns-port=${dnsPort}`,
    ...extra,
  ]);
  await waitFor(() => child.output().includes('Consul agent running!'), 15_000, 50);
  // Consul installs its signal handlers only after that line (command/agent/agent.go: "wait for signal"
  // follows it), so a SIGTERM sent on seeing it can kill the process outright; an answer from the HTTP API
  // comes after them.
  await fetch(`http://127.0.0.1:${http}/v1/status/leader`);
  return { child, http };
}

describe('the consul command', () => {
  it('prints its version', async () => {
    const c = runConsul(['version']);
    expect(await c.exited).toBe(0);
    expect(c.output()).toMatch(/^Consul v1\.20\.\d+ \(stand-in\)\n/);
  });

  it('fails on unknown flags like Go flag parsing does', async () => {
    const c = runConsul(['agent', '-dev', '-x']);
    expect(await c.exited).toBe(1);
    expect(c.output()).toContain('flag provided but not defined: -x');
  });

  it('validates the configuration like consul', async () => {
    const noServer = runConsul(['agent', '-bootstrap-expect=1', `-data-dir=${tempDir()}`]);
    expect(await noServer.exited).toBe(1);
    expect(noServer.output()).toContain("'bootstrap_expect > 0' requires 'server = true'");
    const noData = runConsul(['agent', '-server', '-bootstrap-expect=1']);
    expect(await noData.exited).toBe(1);
    expect(noData.output()).toContain('data_dir cannot be empty');
    const badInt = runConsul(['agent', '-dev', '-http-port=abc']);
    expect(await badInt.exited).toBe(1);
  });

  it("dev mode: a leader within raft's dev timeouts; SIGTERM exits with consul's code 1", async () => {
    const http = await freePort();
    const c = runConsul([
      'agent',
      '-dev',
      '-client',
      '127.0.0.1',
      `-http-port=${http}`,
      `-dns-port=${await freePort()}`,
    ]);
    // dev mode elects within 35-70 ms of raft starting (election.ts), so the first answer may already
    // name the leader
    await waitFor(() => leaderOf(http), 15_000, 50);
    expect(await leaderOf(http)).toBe('127.0.0.1:8300');
    expect(c.output()).toMatch(/\[INFO\] {2}agent: Consul agent running!/);
    c.proc.kill('SIGTERM');
    // Its own exit code on SIGTERM (how fast is a timing goal, not a test's).
    expect(await c.exited).toBe(1);
    expect(c.output()).toContain('agent: Graceful shutdown disabled. Exiting');
  });

  it('server mode (-bootstrap-expect=1): no leader for a heartbeat timeout (5 s: 1000 ms x raft_multiplier 5), then one', async () => {
    // agent/config/default.go (raft_multiplier 5), raft v1.7 runFollower/randomTimeout (election.ts)
    const started = Date.now();
    const s = await startServer(tempDir());
    expect(await leaderOf(s.http)).toBe('');
    await waitFor(() => leaderOf(s.http), 30_000, 50);
    expect(Date.now() - started).toBeGreaterThanOrEqual(5_000);
    expect(s.child.output()).toContain('New leader elected');
    s.child.proc.kill('SIGTERM');
    await s.child.exited;
  });

  it('server mode keeps KV and services in the data dir across restarts', async () => {
    const data = tempDir();
    const first = await startServer(data);
    await waitFor(() => leaderOf(first.http), 30_000, 50);
    const base = `http://127.0.0.1:${first.http}/v1`;
    expect(await (await fetch(`${base}/kv/kong-migrations`, { method: 'PUT', body: 'done' })).json()).toBe(
      true,
    );
    await fetch(`${base}/agent/service/register`, {
      method: 'PUT',
      body: JSON.stringify({ Name: 'kept', Port: 1 }),
    });
    first.child.proc.kill('SIGTERM');
    await first.child.exited;

    const second = await startServer(data);
    const base2 = `http://127.0.0.1:${second.http}/v1`;
    await waitFor(() => leaderOf(second.http), 30_000, 50);
    expect(await (await fetch(`${base2}/kv/kong-migrations?raw`)).text()).toBe('done');
    expect(Object.keys((await (await fetch(`${base2}/agent/services`)).json()) as object)).toEqual(['kept']);
    second.child.proc.kill('SIGINT');
    expect(await second.child.exited).toBe(1);
  });

  it('restores a persisted check as critical, whatever Status it was registered with', async () => {
    const data = tempDir();
    const first = await startServer(data);
    await waitFor(() => leaderOf(first.http), 30_000, 50);
    const checkOf = async (http: number) =>
      (
        (await (await fetch(`http://127.0.0.1:${http}/v1/agent/checks`)).json()) as Record<
          string,
          { Status: string }
        >
      )['service:restored']?.Status;
    // A day-long interval: the first run (staggered within one interval) does not come during the test.
    await fetch(`http://127.0.0.1:${first.http}/v1/agent/service/register`, {
      method: 'PUT',
      body: JSON.stringify({
        Name: 'restored',
        Port: 1,
        Check: { HTTP: 'http://127.0.0.1:1/', Interval: '24h', Status: 'passing' },
      }),
    });
    expect(await checkOf(first.http)).toBe('passing');
    first.child.proc.kill('SIGTERM');
    await first.child.exited;

    const second = await startServer(data);
    await waitFor(() => leaderOf(second.http), 30_000, 50);
    expect(await checkOf(second.http)).toBe('critical');
    const passing = await fetch(`http://127.0.0.1:${second.http}/v1/health/service/restored?passing`);
    expect(await passing.json()).toEqual([]);
    second.child.proc.kill('SIGTERM');
    await second.child.exited;
  });

  it('leave_on_terminate from a config file makes SIGTERM graceful (exit 0)', async () => {
    const conf = tempDir();
    writeFileSync(join(conf, 'local.json'), JSON.stringify({ leave_on_terminate: true }));
    const s = await startServer(tempDir(), [`-config-dir=${conf}`]);
    s.child.proc.kill('SIGTERM');
    expect(await s.child.exited).toBe(0);
    expect(s.child.output()).toContain('Gracefully shutting down agent...');
  });

  it('a server without bootstrap_expect=1 never elects a leader', async () => {
    const http = await freePort();
    const c = runConsul([
      'agent',
      '-server',
      `-data-dir=${tempDir()}`,
      '-bind=127.0.0.1',
      `-http-port=${http}`,
      `-dns-port=${await freePort()}`,
    ]);
    await waitFor(() => c.output().includes('Consul agent running!'), 15_000, 50);
    const kv = await fetch(`http://127.0.0.1:${http}/v1/kv/x`);
    expect([kv.status, await kv.text()]).toEqual([500, 'No cluster leader']);
    expect(await leaderOf(http)).toBe('');
    c.proc.kill('SIGTERM');
    await c.exited;
  });
});
