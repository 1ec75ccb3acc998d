import { defineConfig } from 'vitest/config';

// Integration tests talk to a real Docker engine; they are slow by nature, so the defaults are generous.
// Timing goals live in bench/, never here.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'images/**/*.test.ts', 'scripts/**/*.test.ts'],
    testTimeout: 180_000,
    hookTimeout: 300_000,
    pool: 'forks',
    globalSetup: ['test/support/global-setup.ts'],
    env: { TESTCONTAINERS_RYUK_DISABLED: 'true' },
  },
});
