import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { setup as servicesSetup, teardown as servicesTeardown } from '../support/runner/global-setup.js';
import type { Tally } from './tally.js';

const dir = mkdtempSync(join(tmpdir(), 'authkeep-reliability-'));
const ledger = join(dir, 'ledger.jsonl');

export async function setup(project: TestProject): Promise<void> {
  process.env.AUTHKEEP_RELIABILITY_LEDGER = ledger;
  await servicesSetup(project);
}

/** The closing line: what was attempted, what was broken on purpose, what was checked, what was lost. */
export async function teardown(): Promise<void> {
  await servicesTeardown();
  const tallies: Tally[] = existsSync(ledger)
    ? readFileSync(ledger, 'utf8')
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Tally)
    : [];
  const sum = (key: keyof Omit<Tally, 'suite'>) => tallies.reduce((total, t) => total + t[key], 0);
  console.log(
    `\nreliability: ${tallies.length} suites, operations attempted ${sum('operations')}, faults injected ${sum('faults')}, ` +
      `rows verified ${sum('rowsVerified')}, rows lost ${sum('rowsLost')}`,
  );
  rmSync(dir, { recursive: true, force: true });
}
