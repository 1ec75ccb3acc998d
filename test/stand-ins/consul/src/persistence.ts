// Server (non-dev) mode keeps state in the data dir so a container re-created on the same volume keeps
// its KV, agent services and node ID. Dev mode keeps everything in memory.

import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Catalog, CheckDef, ServiceDef } from './catalog.ts';
import type { KvSnapshot, KvStore } from './kv-store.ts';
import type { RaftIndex } from './raft-index.ts';

interface StateFile {
  index: number;
  kv: KvSnapshot;
  services: Array<{ service: ServiceDef; checks: CheckDef[] }>;
  checks: CheckDef[];
}

export function loadOrCreateNodeId(dataDir: string | undefined): string {
  if (!dataDir) return randomUUID();
  const file = join(dataDir, 'node-id');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const id = randomUUID();
  writeFileSync(file, id);
  return id;
}

export class Persistence {
  readonly #file: string;
  #save: () => void = () => {};

  constructor(dataDir: string) {
    mkdirSync(join(dataDir, 'raft'), { recursive: true });
    this.#file = join(dataDir, 'raft', 'standin-state.json');
  }

  /** Restores state written by a previous run; returns the services to re-register. */
  load(raft: RaftIndex, kv: KvStore): StateFile | undefined {
    if (!existsSync(this.#file)) return undefined;
    const state = JSON.parse(readFileSync(this.#file, 'utf8')) as StateFile;
    raft.restore(state.index);
    kv.restore(state.kv);
    return state;
  }

  attach(raft: RaftIndex, kv: KvStore, catalog: Catalog): void {
    this.#save = () => {
      const services = [...catalog.services.values()].map((s) => ({
        service: s.def,
        checks: [...catalog.checks.values()].filter((c) => c.def.serviceId === s.def.id).map((c) => c.def),
      }));
      const checks = [...catalog.checks.values()].filter((c) => !c.def.serviceId).map((c) => c.def);
      const data: StateFile = { index: raft.current, kv: kv.snapshot(), services, checks };
      const tmp = `${this.#file}.tmp`;
      writeFileSync(tmp, JSON.stringify(data));
      renameSync(tmp, this.#file);
    };
  }

  /** Writes through before the HTTP answer goes out, as raft commits before Consul acknowledges a write:
   * a container killed right after a PUT (docker rm -f) still has the value on its volume. */
  changed(): void {
    this.#save();
  }

  flush(): void {
    this.#save();
  }
}
