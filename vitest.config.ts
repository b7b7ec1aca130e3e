import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/reliability/**', 'node_modules/**'],
    globalSetup: ['test/support/runner/global-setup.ts'],
    setupFiles: ['test/support/runner/no-pg-deprecations.ts'],
    reporters: ['default', './test/support/runner/skip-summary-reporter.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
