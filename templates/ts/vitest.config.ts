import { defineConfig } from 'vitest/config';

// Unit tests: no Docker needed. The integration tests have their own config (vitest.integration.config.ts).
export default defineConfig({ test: { include: ['test/*.test.ts'] } });
