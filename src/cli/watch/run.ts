// `mkdev watch`: bring the stack up (syncing instead of rebuilding what only watch changed), then
// the watch loop until Ctrl-C, which exits 0 and leaves the stack running. Bring-up holds the
// project's lock, as `up` does; the loop does not (see watch-output.ts, shared with `up --watch`).
import { chooseReporter, createReporter } from '../../output/progress-reporter.ts';
import { bringUp } from '../../project/bring-up.ts';
import { projectNameFor } from '../../stack/project-name.ts';
import { prepareWatch } from '../../watch/start-watch.ts';
import { boolFlag, type CommandRun, projectRef } from '../command.ts';
import { openProject } from '../open-project.ts';
import { withProjectLock } from '../with-lock.ts';
import { watchWithOutput } from './watch-output.ts';

export const run: CommandRun = async (input) => {
  const { values, positionals, cwd, signal } = input;
  const json = boolFlag(values, 'json');
  const project = await projectNameFor(projectRef(values), cwd);
  const up = await withProjectLock(project, 'watch', input, async () => {
    const { stack, engine, host, mask } = await openProject(projectRef(values), cwd);
    const watching = await prepareWatch(engine, stack, positionals);
    const reporter = await createReporter(chooseReporter(json), mask);
    try {
      await bringUp({
        stack,
        engine,
        host,
        services: positionals,
        hashes: watching.start.hashes,
        signal,
        onEvent: (e) => reporter.event(e),
        onPlan: (plan) => reporter.start(Object.keys(plan.services)),
      });
    } finally {
      await reporter.stop();
    }
    return { stack, engine, host, watching };
  });
  return watchWithOutput({ ...up, json, signal });
};
