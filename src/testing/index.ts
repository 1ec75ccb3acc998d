// mkdev/testing: throwaway stacks for integration tests (vitest or any runner).

/** What startStack and the containers throw, so callers can tell a user mistake from a failure. */
export { InterruptedError, UpstreamFailedError, UsageError, UserError } from '../errors.ts';
export * from './containers/index.ts';
export type { StackSnapshot } from './snapshot.ts';
export { type StartStackOptions, startStack, type TestStack } from './start-stack.ts';
export { useMkdevEngineForTestcontainers } from './testcontainers-engine.ts';
