// When a lone server elects itself, and when changes made before that reach the catalog, as Consul
// 1.20 and hashicorp/raft v1.7 time them.
//
// - A server alone in bootstrap mode (-bootstrap-expect=1, -dev) bootstraps its raft configuration
//   and starts as a follower (agent/consul/server.go setupRaft). The follower starts an election when
//   no leader contacted it within a heartbeat timeout drawn from [timeout, 2 x timeout)
//   (raft.go runFollower; util.go randomTimeout); alone, it wins its own vote at once.
// - The heartbeat timeout is consul.raft.heartbeat_timeout (raft's DefaultConfig: 1000 ms) times
//   performance.raft_multiplier (DefaultRaftMultiplier 5) (agent/config/default.go DefaultSource and
//   DefaultConsulSource; agent/config/builder.go). Dev mode: 35 ms times 1 (DevSource,
//   DevConsulSource). So an election comes 5-10 s after start, 35-70 ms in dev mode.
// - The anti-entropy syncer's first full sync at start fails without a leader and waits for a
//   trigger (agent/ae/ae.go retryFullSync); the new leader's `consul:new-leader` event triggers it
//   (agent/consul/server_serf.go localEvent -> ServerUp = SyncFull.Trigger), after a stagger drawn
//   from [0, 3 s) (ae.go serverUpIntv, waitFullSyncDelay, lib.RandomStagger).
import type { AgentOptions } from './agent-options.ts';

const HEARTBEAT_TIMEOUT_MS = 1000;
const DEV_HEARTBEAT_TIMEOUT_MS = 35;
const DEFAULT_RAFT_MULTIPLIER = 5;
const SERVER_UP_INTERVAL_MS = 3000;

/** raft's randomTimeout: the timeout plus a random part of itself. */
const randomTimeout = (ms: number, random: () => number) => ms + Math.floor(random() * ms);

/** How long after start a lone bootstrapping server becomes leader. */
export function electionDelayMs(o: AgentOptions, random: () => number = Math.random): number {
  if (o.electionDelayMs !== undefined) return o.electionDelayMs;
  const multiplier = o.raftMultiplier ?? (o.dev ? 1 : DEFAULT_RAFT_MULTIPLIER);
  const timeout = (o.dev ? DEV_HEARTBEAT_TIMEOUT_MS : HEARTBEAT_TIMEOUT_MS) * multiplier;
  return randomTimeout(timeout, random);
}

/** lib.RandomStagger(serverUpIntv): when the full sync runs after the leader's ServerUp event. */
export function fullSyncStaggerMs(random: () => number = Math.random): number {
  return Math.floor(random() * SERVER_UP_INTERVAL_MS);
}
