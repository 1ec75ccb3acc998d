// The Go template in the daily loop, beside TypeScript and Python: `mkdev new-service <name> --lang X`
// to the service answering through Kong (a cold build: the names are new each run, so no layer of an
// earlier run's build is reused), then, for Go, an edit rebuilt and served through Kong by `mkdev watch`
// (Go compiles: its rule rebuilds, with the dependencies' layer cached) and a go.mod change (that layer
// rebuilt too).
import type { ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mustSucceed, type Timed } from './process.ts';

export interface GoLoopSamples {
  readonly coldTs: number[];
  readonly coldPy: number[];
  readonly coldGo: number[];
  readonly goEdit: number[];
  readonly goRebuild: number[];
}

/** At most this many Go edits: each is an image build and a new container. */
export const GO_EDITS = 5;

export async function measureGoLoop(o: {
  readonly project: string;
  readonly cwd: string;
  readonly suffix: string;
  readonly edits: number;
  readonly log: (line: string) => void;
  readonly mkdev: (args: string[]) => Promise<Timed>;
  readonly spawnMkdev: (args: string[]) => ChildProcess;
  readonly follow: (child: ChildProcess) => { text: () => string };
  readonly until: <T>(what: string, timeoutMs: number, fn: () => Promise<T | undefined>) => Promise<T>;
  readonly body: (path: string) => Promise<string>;
}): Promise<GoLoopSamples> {
  const samples: GoLoopSamples = { coldTs: [], coldPy: [], coldGo: [], goEdit: [], goRebuild: [] };
  const names = { ts: `ts-${o.suffix}`, python: `py-${o.suffix}`, go: `go-${o.suffix}` };
  const cold = { ts: samples.coldTs, python: samples.coldPy, go: samples.coldGo };
  for (const language of ['ts', 'python', 'go'] as const) {
    const name = names[language];
    const started = performance.now();
    mustSucceed(`new-service ${name}`, await o.mkdev(['new-service', name, '--lang', language]));
    mustSucceed(`up ${name}`, await o.mkdev(['up', name, '-p', o.project]));
    await o.until(`${name} through Kong`, 120_000, async () =>
      (JSON.parse((await o.body(`/${name}`)) || '{}') as { service?: string }).service === name
        ? true
        : undefined,
    );
    cold[language].push(performance.now() - started);
    o.log(
      `new-service --lang ${language} -> ready through Kong (cold): ${Math.round(cold[language][0] ?? 0)} ms`,
    );
  }

  const go = names.go;
  const watch = o.spawnMkdev(['watch', go, '--json', '-p', o.project]);
  const out = o.follow(watch);
  try {
    await o.until('watch to start', 600_000, async () =>
      out.text().includes('"type":"watching"') ? true : undefined,
    );
    const changes = () => (out.text().match(/"type":"change"/g) ?? []).length;
    const file = join(o.cwd, 'services', go, 'http_server.go');
    for (let i = 1; i <= Math.min(o.edits, GO_EDITS); i++) {
      const seen = changes();
      const marker = `edit-${i}-${Date.now().toString(36)}`;
      const text = readFileSync(file, 'utf8');
      const started = performance.now();
      writeFileSync(file, text.replace(/("message":\s*")[^"]*/, `$1${marker}`));
      await o.until(`${marker} through Kong`, 1_200_000, async () =>
        (await o.body(`/${go}`)).includes(marker) ? true : undefined,
      );
      samples.goEdit.push(performance.now() - started);
      await o.until('the change line', 120_000, async () => (changes() > seen ? true : undefined));
    }
    o.log(`http_server.go (Go): ${samples.goEdit.map((ms) => Math.round(ms)).join(' ')} ms`);
    const seen = changes();
    const goMod = join(o.cwd, 'services', go, 'go.mod');
    const started = performance.now();
    writeFileSync(goMod, `${readFileSync(goMod, 'utf8')}\n// bench\n`);
    await o.until('rebuild after go.mod', 1_800_000, async () => (changes() > seen ? true : undefined));
    if (!out.text().trim().split('\n').pop()?.includes('"ok":true'))
      throw new Error(`rebuild failed:\n${out.text().slice(-3000)}`);
    samples.goRebuild.push(performance.now() - started);
    o.log(`go.mod -> rebuilt and ready: ${Math.round(samples.goRebuild[0] ?? 0)} ms`);
  } finally {
    watch.kill('SIGINT');
    await new Promise((r) => (watch.exitCode === null ? watch.once('exit', r) : r(undefined)));
  }
  return samples;
}
