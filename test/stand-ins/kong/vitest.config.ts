import { defineConfig } from 'vitest/config';

// The stand-in's own suites, runnable without the repository's global setup (which builds mkdev itself):
// `npx vitest run --config test/stand-ins/kong/vitest.config.ts`.
export default defineConfig({
  test: {
    root: import.meta.dirname,
    include: ['*.test.ts'],
    testTimeout: 180_000,
    hookTimeout: 300_000,
    pool: 'forks',
  },
});
