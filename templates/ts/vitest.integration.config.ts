import { defineConfig } from 'vitest/config';

// Integration tests against a throwaway copy of the whole stack, this service included (mkdev/testing).
export default defineConfig({
  test: {
    include: ['test/integration/*.test.ts'],
    globalSetup: ['./test/integration/stack.ts'],
    testTimeout: 30_000,
    hookTimeout: 600_000,
  },
});
