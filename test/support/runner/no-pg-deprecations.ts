import { afterAll, expect } from 'vitest';

// pg 8 warns (once per process) where pg 9 will fail: a test file that triggers one fails here, naming it.
const deprecations: string[] = [];
process.on('warning', (warning) => {
  if (warning.name === 'DeprecationWarning' && warning.message.includes('pg@9'))
    deprecations.push(warning.message);
});

afterAll(() => {
  expect(deprecations, 'pg deprecation warnings in this test file').toEqual([]);
});
