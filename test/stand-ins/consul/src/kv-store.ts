// The KV store: entries with Create/Modify/Lock indexes, tombstones for delete indexes, CAS.

import type { RaftIndex } from './raft-index.ts';

export interface KvEntry {
  key: string;
  value: Buffer | null;
  flags: bigint;
  createIndex: number;
  modifyIndex: number;
  lockIndex: number;
}

export interface KvSnapshot {
  entries: Array<{ key: string; value: string | null; flags: string; c: number; m: number; l: number }>;
}

export class KvStore {
  readonly #entries = new Map<string, KvEntry>();
  readonly #tombstones = new Map<string, number>();
  #tableIndex = 0;
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
    const index = this.#raft.next();
    this.#entries.set(key, {
      key,
      value: value && value.length > 0 ? value : null,
      flags,
      createIndex: existing?.createIndex ?? index,
      modifyIndex: index,
      lockIndex: existing?.lockIndex ?? 0,
    });
    this.#tombstones.delete(key);
    this.#written(index);
    return true;
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
