import type { CompiledQuery, QueryResult } from 'kysely';
import { describe, expect, it } from 'vitest';
import { PrimaryPosition } from '../../../src/adapters/kysely/connection/replica/primary-position.js';

/** A primary whose answers the test releases one by one; each answer is the order the fetch was sent in. */
function scriptedPrimary() {
  const pending: ((rows: unknown[]) => void)[] = [];
  let sent = 0;
  const run = <R>(_compiled: CompiledQuery): Promise<QueryResult<R>> => {
    sent += 1;
    const lsn = `0/${sent.toString(16)}0`;
    return new Promise((resolve) =>
      pending.push(() => resolve({ rows: [{ lsn, block: '8192', segment: '16MB' }] as R[] })),
    );
  };
  const answerNext = async () => {
    pending.shift()?.([]);
    for (let tick = 0; tick < 5; tick += 1) await Promise.resolve();
  };
  return { run, answerNext, sent: () => sent };
}

describe('PrimaryPosition', () => {
  it('shares a fetch between callers, but never gives a caller a fetch sent before it asked', async () => {
    const primary = scriptedPrimary();
    const position = new PrimaryPosition(primary.run);
    const first = position.after();
    const second = position.after(); // the first fetch is already on the wire: waits for the next
    const third = position.after(); // shares the second's
    expect(primary.sent()).toBe(1);
    await primary.answerNext();
    expect(await first).toBe(0x10n);
    expect(primary.sent()).toBe(2);
    await primary.answerNext();
    expect(await second).toBe(0x20n);
    expect(await third).toBe(0x20n);
    const fourth = position.after();
    expect(primary.sent()).toBe(3);
    await primary.answerNext();
    expect(await fourth).toBe(0x30n);
  });

  it('a failed fetch fails its callers only; the next caller fetches anew', async () => {
    let calls = 0;
    const position = new PrimaryPosition(async <R>() => {
      calls += 1;
      if (calls === 1) throw new Error('connection refused');
      return { rows: [{ lsn: '0/5', block: '8192', segment: '16MB' }] as R[] };
    });
    await expect(position.after()).rejects.toThrow('connection refused');
    await expect(position.after()).resolves.toBe(5n);
  });
});
