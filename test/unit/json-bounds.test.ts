import { describe, expect, it } from 'vitest';
import { jsonObject } from '../../src/domain/fields/validation.js';

/** A plain object with `size` keys whose values are getters, counting how many were read. */
function counted(size: number): { value: Record<string, unknown>; reads: () => number } {
  let reads = 0;
  const read = () => ++reads;
  const value: Record<string, unknown> = {};
  for (let i = 0; i < size; i++) {
    Object.defineProperty(value, `k${i}`, { get: read, enumerable: true, configurable: true });
  }
  return { value, reads: () => reads };
}

describe('JSON values are bounded before they are walked', () => {
  const rule = jsonObject();

  it('an object with 10^6 keys is refused before any of its values is read', () => {
    const { value, reads } = counted(1_000_000);
    expect(() => rule(value, 'metadata')).toThrow(
      expect.objectContaining({ code: 'validation', message: expect.stringContaining('keys and items') }),
    );
    expect(reads()).toBe(0);
  }, 120_000);

  it('many small nested objects are refused once their total passes the bound, not at the end', () => {
    const wide = { items: Array.from({ length: 20_000 }, () => ({})) };
    expect(() => rule(wide, 'metadata')).toThrow(expect.objectContaining({ code: 'validation' }));
    let touched = 0;
    const nested: Record<string, unknown> = {};
    for (let i = 0; i < 100; i++) {
      nested[`g${i}`] = new Proxy(Object.fromEntries(Array.from({ length: 1000 }, (_, j) => [`k${j}`, j])), {
        get(object, key, receiver) {
          touched++;
          return Reflect.get(object, key, receiver) as unknown;
        },
      });
    }
    expect(() => rule(nested, 'metadata')).toThrow(expect.objectContaining({ code: 'validation' }));
    // Refused within the first seventeen groups (16 384 entries), never walking all hundred.
    expect(touched).toBeLessThan(17 * 1000 * 2);
  });

  it('long strings add up: the byte bound is enforced while walking', () => {
    const value = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`s${i}`, 'x'.repeat(2000)]));
    expect(() => rule(value, 'metadata')).toThrow(expect.objectContaining({ code: 'validation' }));
    const ok = { note: 'x'.repeat(1000), list: [1, 2, 3], deep: { a: { b: true } } };
    expect(rule(ok, 'metadata')).toEqual(ok);
  });
});
