// `mkdev watch`: bring the stack up (syncing instead of rebuilding what only watch changed), then
// the watch loop until Ctrl-C, which exits 0 and leaves the stack running.
import type { Engine } from '../../engine/engine.ts';
import { chooseReporter, createReporter } from '../../output/progress-reporter.ts';
import { style } from '../../output/style.ts';
import { bringUp } from '../../project/bring-up.ts';
import type { ServiceSpec, Stack } from '../../stack/model.ts';
import { applyBatch } from '../../watch/apply-batch.ts';
import { formatChange, jsonChange } from '../../watch/format-change.ts';
import { planStart, recordAll, type StartPlan } from '../../watch/start-watch.ts';
import { readSyncedState } from '../../watch/synced-state.ts';
import { watchedServices, watchServices } from '../../watch/watch-session.ts';
import { boolFlag, type CommandRun, projectRef } from '../command.ts';
import { EXIT_OK } from '../errors.ts';
import { openProject } from '../open-project.ts';

export interface WatchLoopOptions {
  readonly stack: Stack;
  readonly engine: Engine;
  readonly host: string;
  readonly services: readonly ServiceSpec[];
  readonly start: StartPlan;
  readonly json: boolean;
  readonly signal: AbortSignal;
}

/** After bring-up: the initial sync, then watching until the signal aborts. Shared with `up --watch`. */
export async function watchLoop(options: WatchLoopOptions): Promise<number> {
  const { stack, engine, host, services, json, signal } = options;
  const width = Math.max(...services.map((s) => s.name.length));
  const print = (line: string) => process.stdout.write(`${line}\n`);
  const onChange = (report: Parameters<typeof formatChange>[0]) =>
    print(json ? jsonChange(report) : formatChange(report, width));
  const state = readSyncedState(stack);
  for (const plan of options.start.initialSync) {
    onChange(await applyBatch({ stack, engine, host, signal }, plan));
  }
  await recordAll(engine, stack, services, state);
  const names = services.map((s) => s.name);
  await watchServices(services, {
    stack,
    engine,
    host,
    signal,
    state,
    onChange,
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

export const run: CommandRun = async ({ values, positionals, cwd, signal }) => {
  const json = boolFlag(values, 'json');
  const { stack, engine, host, mask } = await openProject(projectRef(values), cwd);
  const services = watchedServices(stack, positionals);
  const start = await planStart(engine, stack, services);
  const reporter = await createReporter(chooseReporter(json), mask);
  try {
    await bringUp({
      stack,
      engine,
      host,
      services: positionals,
      hashes: start.hashes,
      signal,
      onEvent: (e) => reporter.event(e),
      onPlan: (plan) => reporter.start(Object.keys(plan.services)),
    });
  } finally {
    await reporter.stop();
  }
  return watchLoop({ stack, engine, host, services, start, json, signal });
};
