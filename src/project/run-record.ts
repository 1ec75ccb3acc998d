// What a running `mkdev run` has changed, written before it changes anything: which service's
// containers it stopped, which host process stands in for them, and where Consul lists it. If mkdev
// dies (even SIGKILL), the next invocation sees the owner gone and undoes it: stops the stray
// process, deregisters it, starts the containers again. Kept in <projectDir>/.mkdev/runs/.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Owner, ownerIsGone } from '../engine/owner.ts';

export interface RunRecord {
  readonly project: string;
  readonly service: string;
  readonly owner: Owner;
  /** The host process, once started. */
  readonly child?: Owner;
  /** Where the host process listens and Consul lists it. */
  readonly address: string;
  readonly port: number;
  /** Consul's HTTP API as the host reaches it. */
  readonly consulUrl?: string;
}

function runsDir(projectDir: string): string {
  return join(projectDir, '.mkdev', 'runs');
}

function recordFile(projectDir: string, project: string, service: string): string {
  return join(runsDir(projectDir), `${project}--${service}.json`);
}

export function writeRecord(projectDir: string, record: RunRecord): void {
  mkdirSync(runsDir(projectDir), { recursive: true });
  writeFileSync(
    recordFile(projectDir, record.project, record.service),
    `${JSON.stringify(record, null, 1)}\n`,
  );
}

export function removeRecord(projectDir: string, project: string, service: string): void {
  rmSync(recordFile(projectDir, project, service), { force: true });
}

export function readRecords(projectDir: string, project: string): RunRecord[] {
  let names: string[];
  try {
    names = readdirSync(runsDir(projectDir));
  } catch {
    return [];
  }
  return names
    .filter((n) => n.startsWith(`${project}--`) && n.endsWith('.json'))
    .flatMap((n) => {
      try {
        return [JSON.parse(readFileSync(join(runsDir(projectDir), n), 'utf8')) as RunRecord];
      } catch {
        return [];
      }
    });
}

/** The service's host run, while its mkdev process lives. */
export function liveRun(projectDir: string, project: string, service: string): RunRecord | undefined {
  return readRecords(projectDir, project).find((r) => r.service === service && !ownerIsGone(r.owner));
}

/** Services `mkdev run` holds on the host now, each with the pid of the mkdev process holding it. */
export function servicesOnHost(projectDir: string, project: string): Map<string, number> {
  return new Map(
    readRecords(projectDir, project)
      .filter((r) => !ownerIsGone(r.owner))
      .map((r) => [r.service, r.owner.pid]),
  );
}
