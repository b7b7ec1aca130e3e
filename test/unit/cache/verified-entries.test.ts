import { describe, expect, it } from 'vitest';
import { VerifiedEntries } from '../../../src/app/cache/verified-entries.js';

describe('VerifiedEntries', () => {
  const record = { id: 'a', tags: ['x'] };

  it('answers only for the exact bytes, while live, on the same store instance', () => {
    const memo = new VerifiedEntries(10);
    memo.remember('k', 'e2.bytes', record, 1_000, 'run-1');
    expect(memo.lookup('k', 'e2.bytes', 999, 'run-1')).toEqual(record);
    expect(memo.lookup('k', 'e2.bytez', 999, 'run-1')).toBeUndefined();
    expect(memo.lookup('other', 'e2.bytes', 999, 'run-1')).toBeUndefined();
    expect(memo.lookup('k', 'e2.bytes', 1_000, 'run-1')).toBeUndefined();
    expect(memo.lookup('k', 'e2.bytes', 999, 'run-2')).toBeUndefined();
    memo.forget(['k']);
    expect(memo.lookup('k', 'e2.bytes', 999, 'run-1')).toBeUndefined();
  });

  it('hands out copies, and keeps its own copy of what it was given', () => {
    const memo = new VerifiedEntries(10);
    const given = { id: 'a', tags: ['x'] };
    memo.remember('k', 'raw', given, 1_000, 'i');
    given.tags.push('changed-by-caller');
    const out = memo.lookup<typeof record>('k', 'raw', 0, 'i')!;
    out.tags.push('changed-again');
    expect(memo.lookup('k', 'raw', 0, 'i')).toEqual(record);
  });

  it('holds at most maxEntries (oldest out first); 0 turns it off', () => {
    const memo = new VerifiedEntries(2);
    for (const key of ['a', 'b', 'c']) memo.remember(key, key, record, 1_000, 'i');
    expect(memo.lookup('a', 'a', 0, 'i')).toBeUndefined();
    expect(memo.lookup('c', 'c', 0, 'i')).toEqual(record);
    const off = new VerifiedEntries(0);
    off.remember('a', 'a', record, 1_000, 'i');
    expect(off.lookup('a', 'a', 0, 'i')).toBeUndefined();
  });
});
