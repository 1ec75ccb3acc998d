// A vitest globalSetup in one line: one stack for the whole run, its endpoints in process.env (so
// workers inherit them) and in vitest's provide/inject under 'mkdev'.
//
//   // vitest.config.ts:  test: { globalSetup: ['./test/mkdev-setup.ts'] }
//   // test/mkdev-setup.ts:
//   import { mkdevGlobalSetup } from 'mkdev/testing/vitest';
//   export default mkdevGlobalSetup({ services: ['kong', 'rabbitmq'] });
import { type StartStackOptions, startStack } from './start-stack.ts';

export interface GlobalSetupContext {
  provide(key: string, value: unknown): void;
}

export function mkdevGlobalSetup(options: StartStackOptions = {}) {
  return async (context: GlobalSetupContext): Promise<() => Promise<void>> => {
    const stack = await startStack(options);
    Object.assign(process.env, stack.env, { MKDEV_TEST_PROJECT: stack.project });
    context.provide('mkdev', { project: stack.project, env: stack.env });
    return () => stack.stop();
  };
}
