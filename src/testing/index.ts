// mkdev/testing: throwaway stacks for integration tests (vitest or any runner).

export type { StackSnapshot } from './snapshot.ts';
export { type StartStackOptions, startStack, type TestStack } from './start-stack.ts';
