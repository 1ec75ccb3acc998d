// The watch loop's output, for `mkdev watch` and `mkdev up --watch` alike: a line (or an NDJSON
// object) per change, "watching" once an edit is seen, "stopped" on Ctrl-C, which exits 0.
import type { Engine } from '../../engine/engine.ts';
import { style } from '../../output/style.ts';
import type { Stack } from '../../stack/model.ts';
import type { ChangeReport } from '../../watch/apply-batch.ts';
import { formatChange, jsonChange } from '../../watch/format-change.ts';
import type { WatchStart } from '../../watch/start-watch.ts';
import { watchLoop } from '../../watch/watch-loop.ts';
import { EXIT_OK } from '../errors.ts';

export interface WatchWithOutput {
  readonly stack: Stack;
  readonly engine: Engine;
  readonly host: string;
  readonly watching: WatchStart;
  readonly json: boolean;
  readonly signal: AbortSignal;
}

export async function watchWithOutput(options: WatchWithOutput): Promise<number> {
  const { json } = options;
  const { services, start } = options.watching;
  const width = Math.max(...services.map((s) => s.name.length));
  const names = services.map((s) => s.name);
  const print = (line: string) => process.stdout.write(`${line}\n`);
  await watchLoop({
    stack: options.stack,
    engine: options.engine,
    host: options.host,
    signal: options.signal,
    services,
    initialSync: start.initialSync,
    onChange: (report: ChangeReport) => print(json ? jsonChange(report) : formatChange(report, width)),
    onError: (error) => process.stderr.write(`mkdev watch: ${error.message}\n`),
    // Only once an edit made from now on is seen: tools (and people) edit as soon as it says so.
    onWatching: () => {
      if (json) print(JSON.stringify({ type: 'watching', services: names }));
      else
        print(style('dim', `watching ${names.join(', ')} (Ctrl-C stops watching; the stack keeps running)`));
    },
  });
  if (json) print(JSON.stringify({ type: 'stopped' }));
  else print(style('dim', 'stopped watching; the stack keeps running'));
  return EXIT_OK;
}
