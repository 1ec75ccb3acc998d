// Every command mkdev has, each loaded only when asked for. Commands not built yet do not appear.
import type { CommandRun, CommandSpec } from './command.ts';

export interface CommandEntry {
  readonly summary: string;
  readonly spec: () => Promise<{ spec: CommandSpec }>;
  readonly run: () => Promise<{ run: CommandRun }>;
}

export const COMMANDS: Readonly<Record<string, CommandEntry>> = {
  up: {
    summary: 'bring the stack up and wait until it is ready',
    spec: () => import('./up/spec.ts'),
    run: () => import('./up/run.ts'),
  },
  down: {
    summary: 'remove the stack (volumes too with --volumes)',
    spec: () => import('./down/spec.ts'),
    run: () => import('./down/run.ts'),
  },
  status: {
    summary: 'state, readiness and ports of each service',
    spec: () => import('./status/spec.ts'),
    run: () => import('./status/run.ts'),
  },
  logs: {
    summary: "the services' logs, prefixed per service",
    spec: () => import('./logs/spec.ts'),
    run: () => import('./logs/run.ts'),
  },
  env: {
    summary: 'endpoints as KEY=VALUE lines for scripts',
    spec: () => import('./env/spec.ts'),
    run: () => import('./env/run.ts'),
  },
  init: {
    summary: 'write a commented mkdev.yaml',
    spec: () => import('./init/spec.ts'),
    run: () => import('./init/run.ts'),
  },
  'new-service': {
    summary: 'scaffold a service that registers itself on Kong and Consul',
    spec: () => import('./new-service/spec.ts'),
    run: () => import('./new-service/run.ts'),
  },
  routes: {
    summary: 'Kong routes -> service -> Consul instances -> health',
    spec: () => import('./routes/spec.ts'),
    run: () => import('./routes/run.ts'),
  },
  prune: {
    summary: 'remove test stacks whose owner process is gone',
    spec: () => import('./prune/spec.ts'),
    run: () => import('./prune/run.ts'),
  },
  export: {
    summary: 'write the stack as a Compose file',
    spec: () => import('./export/spec.ts'),
    run: () => import('./export/run.ts'),
  },
  ui: {
    summary: 'a live dashboard of the project in the browser',
    spec: () => import('./ui/spec.ts'),
    run: () => import('./ui/run.ts'),
  },
  doctor: {
    summary: 'check that this machine can run the stack',
    spec: () => import('./doctor/spec.ts'),
    run: () => import('./doctor/run.ts'),
  },
};
