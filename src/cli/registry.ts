// Every command mkdev has, each loaded only when asked for. Commands not built yet do not appear.
import type { CommandRun, CommandSpec } from './command.ts';

/** A command's summary, usage and flags live in its spec.ts alone; --help loads the (light) specs. */
export interface CommandEntry {
  readonly spec: () => Promise<{ spec: CommandSpec }>;
  readonly run: () => Promise<{ run: CommandRun }>;
}

export const COMMANDS: Readonly<Record<string, CommandEntry>> = {
  up: {
    spec: () => import('./up/spec.ts'),
    run: () => import('./up/run.ts'),
  },
  pull: {
    spec: () => import('./pull/spec.ts'),
    run: () => import('./pull/run.ts'),
  },
  watch: {
    spec: () => import('./watch/spec.ts'),
    run: () => import('./watch/run.ts'),
  },
  run: {
    spec: () => import('./run/spec.ts'),
    run: () => import('./run/run.ts'),
  },
  down: {
    spec: () => import('./down/spec.ts'),
    run: () => import('./down/run.ts'),
  },
  status: {
    spec: () => import('./status/spec.ts'),
    run: () => import('./status/run.ts'),
  },
  logs: {
    spec: () => import('./logs/spec.ts'),
    run: () => import('./logs/run.ts'),
  },
  env: {
    spec: () => import('./env/spec.ts'),
    run: () => import('./env/run.ts'),
  },
  init: {
    spec: () => import('./init/spec.ts'),
    run: () => import('./init/run.ts'),
  },
  'new-service': {
    spec: () => import('./new-service/spec.ts'),
    run: () => import('./new-service/run.ts'),
  },
  routes: {
    spec: () => import('./routes/spec.ts'),
    run: () => import('./routes/run.ts'),
  },
  prune: {
    spec: () => import('./prune/spec.ts'),
    run: () => import('./prune/run.ts'),
  },
  export: {
    spec: () => import('./export/spec.ts'),
    run: () => import('./export/run.ts'),
  },
  traces: {
    spec: () => import('./traces/spec.ts'),
    run: () => import('./traces/run.ts'),
  },
  ui: {
    spec: () => import('./ui/spec.ts'),
    run: () => import('./ui/run.ts'),
  },
  doctor: {
    spec: () => import('./doctor/spec.ts'),
    run: () => import('./doctor/run.ts'),
  },
  upgrade: {
    spec: () => import('./upgrade/spec.ts'),
    run: () => import('./upgrade/run.ts'),
  },
};
