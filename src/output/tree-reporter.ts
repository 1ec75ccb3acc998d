// The listr2 tree: one line per service, updated in place, running concurrently as the graph allows.
import { Listr, type ListrTaskWrapper } from 'listr2';
import { Deferred } from '../plan/deferred.ts';
import type { StackEvent } from '../plan/events.ts';
import type { ProgressReporter } from './reporter.ts';

type AnyTask = ListrTaskWrapper<unknown, never, never>;

export function treeReporter(mask: (s: string) => string): ProgressReporter {
  const tasks = new Map<string, { task?: AnyTask; done: Deferred; last?: string }>();
  let run: Promise<unknown> = Promise.resolve();
  return {
    start(services) {
      for (const s of services) tasks.set(s, { done: new Deferred() });
      const list = new Listr(
        services.map((service) => ({
          title: service,
          task: (_ctx: unknown, task: AnyTask) => {
            const entry = tasks.get(service);
            if (entry === undefined) return undefined;
            entry.task = task;
            if (entry.last) task.output = entry.last;
            return entry.done.promise;
          },
        })),
        { concurrent: true, exitOnError: false },
      );
      run = list.run().catch(() => {});
    },
    event(e: StackEvent) {
      const entry = tasks.get(e.service);
      if (entry === undefined) return;
      const message = mask(e.message);
      entry.last = message;
      if (entry.task) entry.task.output = message;
      // A pull's progress goes on the service's own line while it lasts (layers and bytes).
      if (e.pull !== undefined && entry.task) entry.task.title = `${e.service}: ${message}`;
      if (e.step === 'image-ready' && entry.task) entry.task.title = e.service;
      if (e.step === 'ready' || e.step === 'completed') {
        if (entry.task) entry.task.title = `${e.service}: ${message}`;
        entry.done.resolve();
      } else if (e.step === 'failed') {
        entry.done.reject(new Error(`${e.service}: ${message}`));
      } else if (e.step === 'cancelled') {
        entry.task?.skip(`${e.service}: ${message}`);
        entry.done.resolve();
      }
    },
    async stop() {
      for (const entry of tasks.values()) entry.done.resolve();
      await run;
    },
  };
}
