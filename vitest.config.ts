import { defineConfig } from 'vitest/config';

// Integration tests talk to a real Docker engine; they are slow by nature, so the defaults are generous.
// Timing goals live in bench/, never here.
export default defineConfig({
  test: {
    include: [
      'src/**/*.test.ts',
      'test/**/*.test.ts',
      'images/**/*.test.ts',
      'scripts/**/*.test.ts',
      'bench/**/*.test.ts',
    ],
    testTimeout: 180_000,
    hookTimeout: 300_000,
    pool: 'forks',
    // Two files at once on 2 cores: vitest's default is one fewer worker than CPUs, but most of an
    // engine test is waiting on containers, so a second file fills that time (the suite's wall time
    // roughly halves; every test waits on events, so load makes them slower, not wrong).
    maxWorkers: 2,
    globalSetup: ['test/support/global-setup.ts'],
    env: { TESTCONTAINERS_RYUK_DISABLED: 'true' },
  },
});
