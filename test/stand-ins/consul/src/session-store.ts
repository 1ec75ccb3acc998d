// Sessions for KV locks: create/destroy/renew, TTL expiry (Consul invalidates after 2 x TTL), and
// release or delete of the held keys with lock-delay when a session ends.

import { randomUUID } from 'node:crypto';
import type { KvStore } from './kv-store.ts';
import type { RaftIndex } from './raft-index.ts';

export interface Session {
  id: string;
  name: string;
  node: string;
  lockDelayMs: number;
  behavior: 'release' | 'delete';
  ttl: string;
  ttlMs: number;
  createIndex: number;
  modifyIndex: number;
}

export class SessionStore {
  readonly #sessions = new Map<string, Session>();
  readonly #timers = new Map<string, NodeJS.Timeout>();
  readonly #raft: RaftIndex;
  readonly #kv: KvStore;
  #index = 1;

  constructor(raft: RaftIndex, kv: KvStore) {
    this.#raft = raft;
    this.#kv = kv;
  }

  get index(): number {
    return this.#index;
  }

  get(id: string): Session | undefined {
    return this.#sessions.get(id);
  }

  list(): Session[] {
    return [...this.#sessions.values()].sort((a, b) => a.createIndex - b.createIndex);
  }

  create(s: Omit<Session, 'id' | 'createIndex' | 'modifyIndex'>): Session {
    const index = this.#raft.next();
    const session: Session = { ...s, id: randomUUID(), createIndex: index, modifyIndex: index };
    this.#sessions.set(session.id, session);
    this.#index = index;
    this.#arm(session);
    this.#raft.notify();
    return session;
  }

  renew(id: string): Session | undefined {
    const s = this.#sessions.get(id);
    if (s) this.#arm(s);
    return s;
  }

  destroy(id: string): void {
    const s = this.#sessions.get(id);
    if (!s) return;
    clearTimeout(this.#timers.get(id));
    this.#timers.delete(id);
    this.#sessions.delete(id);
    this.#index = this.#raft.next();
    this.#kv.invalidateSession(id, s.behavior, s.lockDelayMs);
    this.#raft.notify();
  }

  #arm(s: Session): void {
    clearTimeout(this.#timers.get(s.id));
    if (s.ttlMs <= 0) return;
    const timer = setTimeout(() => this.destroy(s.id), s.ttlMs * 2);
    timer.unref();
    this.#timers.set(s.id, timer);
  }

  stop(): void {
    for (const t of this.#timers.values()) clearTimeout(t);
    this.#timers.clear();
  }
}

export function sessionJson(s: Session): Record<string, unknown> {
  return {
    ID: s.id,
    Name: s.name,
    Node: s.node,
    LockDelay: s.lockDelayMs * 1e6,
    Behavior: s.behavior,
    TTL: s.ttl,
    NodeChecks: ['serfHealth'],
    ServiceChecks: null,
    CreateIndex: s.createIndex,
    ModifyIndex: s.modifyIndex,
  };
}
