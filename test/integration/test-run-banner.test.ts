import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

// A run without services (no TEST_* URLs, no Docker here) ends with the SKIPPED banner, after the summary.
const run = promisify(execFile);
const root = resolve(import.meta.dirname, '../..');

describe('a test run without services', () => {
  it('ends with the SKIPPED banner and the count of skipped tests, after the summary', async () => {
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME };
    // One pipe for both streams, so the order checked is the order a reader sees.
    const vitest = join(root, 'node_modules', '.bin', 'vitest');
    const { stdout: output } = await run(
      'sh',
      ['-c', `"${vitest}" run test/unit/json-dates.test.ts --color=false 2>&1`],
      {
        cwd: root,
        env,
        timeout: 120_000,
      },
    );
    const summary = output.lastIndexOf('Test Files');
    const banner = output.lastIndexOf('their suites are SKIPPED (');
    expect(summary).toBeGreaterThan(-1);
    expect(banner).toBeGreaterThan(summary);
    expect(output.trimEnd().split('\n').at(-1)).toMatch(/^!+$/);
  }, 150_000);
});
