import { defineConfig } from 'vitest/config';

// The first test tier (`npm run test:unit`): what needs no Docker engine, so it runs anywhere in
// seconds. It builds first (a few seconds): new-service vendors the compiled register library. Tests that need the engine are named *.docker.test.ts, or live under test/ and
// images/; the stand-ins' own tests wait on their simulated elections. vitest.config.ts runs everything.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'scripts/**/*.test.ts', 'test/architecture.test.ts'],
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
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
