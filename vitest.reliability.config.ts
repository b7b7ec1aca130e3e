import { defineConfig } from 'vitest/config';

// The reliability suite breaks things on purpose (its own PostgreSQL and Redis servers, killed processes),
// so it runs apart from `npm test`, one file at a time.
export default defineConfig({
  test: {
    include: ['test/reliability/**/*.test.ts'],
    globalSetup: ['test/reliability/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
