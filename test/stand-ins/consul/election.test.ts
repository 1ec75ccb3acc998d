// Election and anti-entropy timing as Consul 1.20 and raft v1.7 give it (src/election.ts, PARITY.md).
import { describe, expect, it } from 'vitest';
import { defaultOptions } from './src/agent-options.ts';
import { electionDelayMs, fullSyncStaggerMs } from './src/election.ts';

const server = { ...defaultOptions(), server: true, bootstrapExpect: 1, dataDir: '/tmp/x' };
const dev = { ...defaultOptions(), dev: true };

describe('a lone server elects itself after a heartbeat timeout', () => {
  it('server mode: [5 s, 10 s): 1000 ms x raft_multiplier 5, plus up to as much again', () => {
    expect(electionDelayMs(server, () => 0)).toBe(5_000);
    expect(electionDelayMs(server, () => 0.9999)).toBe(9_999);
  });

  it('dev mode: [35 ms, 70 ms) (DevConsulSource, raft_multiplier 1)', () => {
    expect(electionDelayMs(dev, () => 0)).toBe(35);
    expect(electionDelayMs(dev, () => 0.9999)).toBe(69);
  });

  it('performance.raft_multiplier scales it; a fixed delay (tests) wins', () => {
    expect(electionDelayMs({ ...server, raftMultiplier: 1 }, () => 0)).toBe(1_000);
    expect(electionDelayMs({ ...server, electionDelayMs: 50 }, () => 0.5)).toBe(50);
  });

  it('changes made before the election reach the catalog 0-3 s after it (the full sync stagger)', () => {
    expect(fullSyncStaggerMs(() => 0)).toBe(0);
    expect(fullSyncStaggerMs(() => 0.9999)).toBe(2_999);
  });
});
