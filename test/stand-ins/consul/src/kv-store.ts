// The KV store: entries with Create/Modify/Lock indexes, tombstones for delete indexes, CAS.

import type { RaftIndex } from './raft-index.ts';

export interface KvEntry {
  key: string;
  value: Buffer | null;
  flags: bigint;
  createIndex: number;
  modifyIndex: number;
  lockIndex: number;
  session: string | undefined;
}

export interface KvSnapshot {
  entries: Array<{
    key: string;
    value: string | null;
    flags: string;
    c: number;
    m: number;
    l: number;
    s?: string;
  }>;
}

export class KvStore {
  readonly #entries = new Map<string, KvEntry>();
  readonly #tombstones = new Map<string, number>();
  #tableIndex = 0;
  readonly #lockDelay = new Map<string, number>();
  readonly #raft: RaftIndex;
  readonly #onWrite: () => void;

  constructor(raft: RaftIndex, onWrite: () => void = () => {}) {
    this.#raft = raft;
    this.#onWrite = onWrite;
  }

  get(key: string): KvEntry | undefined {
    return this.#entries.get(key);
  }

  list(prefix: string): KvEntry[] {
    return [...this.#entries.values()].filter((e) => e.key.startsWith(prefix)).sort(byKey);
  }

  /** The index Consul reports for a read of `key` (recurse: of a prefix). */
  indexFor(key: string, recurse: boolean): number {
    let max = 0;
    if (!recurse) {
      const e = this.#entries.get(key);
      if (e) return e.modifyIndex;
      return Math.max(this.#tableIndex, 1);
    }
    for (const e of this.#entries.values()) if (e.key.startsWith(key)) max = Math.max(max, e.modifyIndex);
    for (const [k, i] of this.#tombstones) if (k.startsWith(key)) max = Math.max(max, i);
    return max > 0 ? max : Math.max(this.#tableIndex, 1);
  }

  /** PUT. cas: undefined = unconditional, 0 = only if absent, N = only if ModifyIndex == N. */
  put(key: string, value: Buffer | null, flags: bigint, cas: number | undefined): boolean {
    const existing = this.#entries.get(key);
    if (cas !== undefined) {
      if (cas === 0 && existing) return false;
      if (cas !== 0 && (!existing || existing.modifyIndex !== cas)) return false;
    }
    this.#write(key, value, flags, { lockIndex: existing?.lockIndex ?? 0, session: existing?.session });
    return true;
  }

  /** ?acquire: takes the lock for `session` (or updates the value when it already holds it). */
  acquire(key: string, value: Buffer | null, flags: bigint, session: string, now = Date.now()): boolean {
    const existing = this.#entries.get(key);
    if (existing?.session !== undefined && existing.session !== session) return false;
    if (existing?.session === undefined && (this.#lockDelay.get(key) ?? 0) > now) return false;
    const newLock = existing?.session !== session;
    this.#write(key, value, flags, { lockIndex: (existing?.lockIndex ?? 0) + (newLock ? 1 : 0), session });
    return true;
  }

  /** ?release: gives the lock up (and writes the value) only when `session` holds it. */
  release(key: string, value: Buffer | null, flags: bigint, session: string): boolean {
    const existing = this.#entries.get(key);
    if (!existing || existing.session !== session) return false;
    this.#write(key, value, flags, { lockIndex: existing.lockIndex, session: undefined });
    return true;
  }

  /** Writes a value (an empty one is stored as null, as Consul does) with its lock state, at a new index. */
  #write(
    key: string,
    value: Buffer | null,
    flags: bigint,
    lock: { lockIndex: number; session: string | undefined },
  ): void {
    const existing = this.#entries.get(key);
    const index = this.#raft.next();
    this.#entries.set(key, {
      key,
      value: value && value.length > 0 ? value : null,
      flags,
      createIndex: existing?.createIndex ?? index,
      modifyIndex: index,
      ...lock,
    });
    this.#tombstones.delete(key);
    this.#written(index);
  }

  /** A destroyed or expired session: its locks are released (or its keys deleted) and lock-delay starts. */
  invalidateSession(
    session: string,
    behavior: 'release' | 'delete',
    lockDelayMs: number,
    now = Date.now(),
  ): void {
    const held = [...this.#entries.values()].filter((e) => e.session === session);
    if (held.length === 0) return;
    const index = this.#raft.next();
    for (const e of held) {
      if (lockDelayMs > 0) this.#lockDelay.set(e.key, now + lockDelayMs);
      if (behavior === 'delete') {
        this.#entries.delete(e.key);
        this.#tombstones.set(e.key, index);
      } else this.#entries.set(e.key, { ...e, session: undefined, modifyIndex: index });
    }
    this.#written(index);
  }

  /** DELETE. Returns false only when a CAS check fails. */
  delete(key: string, recurse: boolean, cas: number | undefined): boolean {
    if (cas !== undefined && !recurse) {
      const existing = this.#entries.get(key);
      if (!existing) return true;
      if (existing.modifyIndex !== cas) return false;
    }
    const victims = recurse ? this.list(key).map((e) => e.key) : this.#entries.has(key) ? [key] : [];
    if (victims.length === 0) return true;
    const index = this.#raft.next();
    for (const k of victims) {
      this.#entries.delete(k);
      this.#tombstones.set(k, index);
    }
    this.#written(index);
    return true;
  }

  #written(index: number): void {
    this.#tableIndex = index;
    this.#onWrite();
    this.#raft.notify();
  }

  snapshot(): KvSnapshot {
    return {
      entries: [...this.#entries.values()].map((e) => ({
        key: e.key,
        value: e.value ? e.value.toString('base64') : null,
        flags: e.flags.toString(),
        c: e.createIndex,
        m: e.modifyIndex,
        l: e.lockIndex,
        ...(e.session ? { s: e.session } : {}),
      })),
    };
  }

  restore(snap: KvSnapshot): void {
    for (const e of snap.entries) {
      this.#entries.set(e.key, {
        key: e.key,
        value: e.value === null ? null : Buffer.from(e.value, 'base64'),
        flags: BigInt(e.flags),
        createIndex: e.c,
        modifyIndex: e.m,
        lockIndex: e.l,
        // Sessions live in memory only: after a restart no session holds a lock.
        session: undefined,
      });
      this.#tableIndex = Math.max(this.#tableIndex, e.m);
    }
  }
}

function byKey(a: KvEntry, b: KvEntry): number {
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

/** `?keys&separator=/` folding: everything after the first separator past the prefix collapses. */
export function foldKeys(keys: string[], prefix: string, separator: string): string[] {
  if (!separator) return keys;
  const out: string[] = [];
  for (const k of keys) {
    const at = k.indexOf(separator, prefix.length);
    const folded = at >= 0 ? k.slice(0, at + separator.length) : k;
    if (out[out.length - 1] !== folded) out.push(folded);
  }
  return out;
}
