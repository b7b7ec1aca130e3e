import { describe, expect, it } from 'vitest';
import { RandomPool } from '../../../src/adapters/crypto/random/random-pool.js';

describe('RandomPool', () => {
  it('hands out pieces that never repeat, across refills', () => {
    const pool = new RandomPool(120); // 10 IVs per fill, so 5,000 draws refill 500 times
    const seen = new Set<string>();
    for (let i = 0; i < 5000; i++) {
      const iv = pool.take(12);
      expect(iv.length).toBe(12);
      seen.add(iv.toString('hex'));
    }
    expect(seen.size).toBe(5000);
  });

  it('returns copies: a piece does not change when the pool refills', () => {
    const pool = new RandomPool(24);
    const first = pool.take(12);
    const snapshot = Buffer.from(first);
    for (let i = 0; i < 10; i++) pool.take(12);
    expect(first.equals(snapshot)).toBe(true);
  });

  it('encodes text straight from the pool and wipes every piece it hands out', () => {
    const pool = new RandomPool(64);
    const buffer = (pool as unknown as { buffer: Buffer }).buffer;
    const hex = pool.text(16, 'hex');
    expect(hex).toMatch(/^[0-9a-f]{32}$/);
    expect(Buffer.from(pool.text(16, 'base64url'), 'base64url').length).toBe(16);
    pool.take(16);
    expect(buffer.subarray(0, 48).equals(Buffer.alloc(48))).toBe(true);
  });

  it('refuses a piece larger than the pool', () => {
    expect(() => new RandomPool(8).take(12)).toThrow(RangeError);
  });
});
