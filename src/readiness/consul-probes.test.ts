// The consul_leader and consul_kv probes against the Consul stand-in run in this process (its answers
// are Consul 1.20's, see test/stand-ins/consul/PARITY.md: `""` before a leader, 404 with an empty body
// for a missing key).
import { afterEach, describe, expect, it } from 'vitest';
import { startInProcess, waitFor } from '../../test/stand-ins/consul/helpers.ts';
import type { AgentHandle } from '../../test/stand-ins/consul/src/agent.ts';
import { consulKvProbe, consulLeaderProbe } from './consul-probes.ts';
import type { ProbeTarget } from './probe.ts';

let agent: AgentHandle | undefined;
afterEach(async () => {
  await agent?.stop();
  agent = undefined;
});

/** The agent's HTTP port, published to the probes as the container's port 8500. */
const targetOf = (httpPort: number): ProbeTarget => ({
  host: '127.0.0.1',
  hostPort: (containerPort) => (containerPort === 8500 ? httpPort : undefined),
  exec: () => Promise.reject(new Error('no exec here')),
  logs: () => Promise.resolve(''),
});
const signal = () => AbortSignal.timeout(5000);

describe('the consul_leader probe', () => {
  it('is not ready while Consul has no leader, and ready once it has one', async () => {
    agent = await startInProcess({ electionDelayMs: 60_000 });
    const target = targetOf(agent.httpPort);
    const probe = consulLeaderProbe(8500);
    expect(await probe.check(target, signal())).toEqual({ ready: false, reason: 'no leader yet' });
    await agent.stop();
    agent = await startInProcess();
    expect(await probe.check(targetOf(agent.httpPort), signal())).toEqual({ ready: true });
  });
});

describe('the consul_kv probe', () => {
  it('is not ready while the key is missing (404), and ready once it is written', async () => {
    agent = await startInProcess();
    const target = targetOf(agent.httpPort);
    const probe = consulKvProbe(8500, 'config/orders/ready');
    expect(probe.description).toBe('GET :8500/v1/kv/config/orders/ready -> 200');
    expect(await probe.check(target, signal())).toEqual({ ready: false, reason: 'HTTP 404' });
    const put = await fetch(`http://127.0.0.1:${agent.httpPort}/v1/kv/config/orders/ready`, {
      method: 'PUT',
      body: 'yes',
    });
    expect(await put.json()).toBe(true);
    await waitFor(async () => (await probe.check(target, signal())).ready, 5000, 50);
    // Another key's presence is no answer for this one.
    expect(await consulKvProbe(8500, 'config/orders').check(target, signal())).toEqual({
      ready: false,
      reason: 'HTTP 404',
    });
  });

  it('is not ready, naming the error, when Consul does not answer', async () => {
    agent = await startInProcess();
    const port = agent.httpPort;
    await agent.stop();
    agent = undefined;
    expect(await consulKvProbe(8500, 'flag').check(targetOf(port), signal())).toEqual({
      ready: false,
      reason: 'ECONNREFUSED',
    });
  });
});
