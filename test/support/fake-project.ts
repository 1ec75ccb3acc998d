// A project on the fake engine for unit tests of the orchestration (bring-up, tear-down, the
// dashboard's actions, watch): its own directory, a build context, the stack's actions recorded in
// the same call log as the engine's, so a test reads one order of everything that happened.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Engine } from '../../src/engine/engine.ts';
import { FakeEngine } from '../../src/engine/fake-engine.ts';
import type { StackEvent } from '../../src/plan/events.ts';
import type { StackActions } from '../../src/plan/stack-actions.ts';
import { type BringUpOptions, type BringUpResult, bringUp } from '../../src/project/bring-up.ts';
import type { Stack } from '../../src/stack/model.ts';
import type { ServiceFile } from '../../src/stack/schema.ts';
import { stackOf } from './stack-of.ts';

export interface FakeProject {
  readonly fake: FakeEngine;
  readonly engine: Engine;
  readonly dir: string;
  readonly events: StackEvent[];
  stack(services: Readonly<Record<string, ServiceFile>>): Stack;
  up(stack: Stack, options?: Partial<BringUpOptions>): Promise<BringUpResult>;
  /** The calls recorded from now on, as `method target` lines. */
  since(): () => string[];
}

/** The stack's actions, recorded: `clear-flags <keys>` and `action <kind> <key or name>`. */
export function recordedActions(fake: FakeEngine): StackActions {
  return {
    run: async (action) => {
      fake.record('action', `${action.kind} ${action.kind === 'consul_kv_put' ? action.key : action.name}`);
      return `did ${action.kind}`;
    },
    clearCompletionFlags: async (actions) => {
      const keys = actions.flatMap((a) => (a.kind === 'consul_kv_put' ? [a.key] : []));
      fake.record('clear-flags', keys.join(','));
      return `cleared ${keys.join(', ')}`;
    },
  };
}

export function fakeProject(project: string, images: readonly string[] = []): FakeProject {
  const dir = mkdtempSync(join(tmpdir(), `${project}-`));
  mkdirSync(join(dir, 'app'));
  writeFileSync(join(dir, 'app', 'Dockerfile'), 'FROM scratch\n');
  const fake = new FakeEngine({ images });
  const engine = fake.project(project);
  const events: StackEvent[] = [];
  return {
    fake,
    engine,
    dir,
    events,
    stack: (services) => stackOf(project, services, { projectDir: dir }),
    up: (stack, options = {}) =>
      bringUp({
        stack,
        engine,
        host: '127.0.0.1',
        signal: AbortSignal.timeout(20_000),
        onEvent: (e) => events.push(e),
        actions: recordedActions(fake),
        ...options,
      }),
    since: () => {
      const mark = fake.calls.length;
      return () => fake.log().slice(mark);
    },
  };
}
