import { appendFileSync } from 'node:fs';

export interface Tally {
  suite: string;
  operations: number;
  faults: number;
  rowsVerified: number;
  rowsLost: number;
}

/** Adds one suite's counts to the run's ledger; global teardown prints the closing line from it. */
export function recordTally(tally: Tally): void {
  const file = process.env.AUTHKEEP_RELIABILITY_LEDGER;
  if (file) appendFileSync(file, `${JSON.stringify(tally)}\n`);
}
