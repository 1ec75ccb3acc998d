import { defineConfig } from 'vitest/config';

// The first test tier (`npm run test:unit`): what needs no Docker engine, so it runs anywhere in
// seconds. It builds first (a few seconds): new-service vendors the compiled register library. Tests that need the engine are named *.docker.test.ts, or live under test/ and
// images/; the stand-ins' own tests wait on their simulated elections. vitest.config.ts runs everything.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'scripts/**/*.test.ts', 'bench/**/*.test.ts', 'test/architecture.test.ts'],
    exclude: [
      '**/node_modules/**',
      '**/*.docker.test.ts',
      // against containers, named before the *.docker.test.ts convention
      'src/register/containers.test.ts',
      'src/register/stand-ins.test.ts',
      'src/testing/containers/consul-container.test.ts',
      'src/testing/containers/kong-container.test.ts',
    ],
    globalSetup: ['test/support/global-setup.ts'],
    // Files share a worker and its loaded modules (most of this tier's time was each file importing the
    // same modules again: ~45 s isolated, ~15-20 s shared, on 2 cores), two workers at once. So a unit
    // test restores what it changes (process.env, timers, globals) before it ends.
    isolate: false,
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
