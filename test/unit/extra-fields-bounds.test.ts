import { describe, expect, it } from 'vitest';
import { LIMITS } from '../../src/domain/fields/limits.js';
import { parseInputWithExtra, parsePatchWithExtra } from '../../src/domain/fields/record-spec.js';
import { userSpec } from '../../src/domain/specs/core.js';

const user = { email: 'bounds@example.com' };

/** An object whose extra fields count how often they are read, so a test sees what was walked. */
function counted(
  fields: number,
  value: () => unknown,
): { input: Record<string, unknown>; reads: () => number } {
  let reads = 0;
  const input: Record<string, unknown> = { ...user };
  for (let i = 0; i < fields; i += 1) {
    Object.defineProperty(input, `f${i}`, {
      enumerable: true,
      get() {
        reads += 1;
        return value();
      },
    });
  }
  return { input, reads: () => reads };
}

describe('extra fields are counted and sized before they are walked', () => {
  it('refuses more than LIMITS.jsonEntries top-level extra fields after reading no more than that', () => {
    const { input, reads } = counted(100_000, () => 1);
    expect(() => parseInputWithExtra(userSpec, input)).toThrow(
      expect.objectContaining({ code: 'validation', message: expect.stringContaining('extra fields') }),
    );
    // Before: every one of the 100,000 was read and validated, then the whole object was serialised.
    expect(reads()).toBeLessThanOrEqual(LIMITS.jsonEntries + 1);
  });

  it('refuses extra fields past jsonBytes as soon as their running size passes it', () => {
    let walked = 0;
    const big = () => ({
      get text() {
        walked += 1;
        return 'x'.repeat(1024);
      },
    });
    const { input } = counted(1_000, big);
    expect(() => parsePatchWithExtra(userSpec, input)).toThrow(
      expect.objectContaining({ code: 'validation', message: expect.stringContaining('bytes as JSON') }),
    );
    // 64 KiB of 1 KiB values: about 64 walked (each read for its check and its size), not 1,000.
    expect(walked).toBeLessThan(300);
  });

  it('still accepts extra fields within both bounds', () => {
    const { input } = counted(100, () => 'ok');
    const { extra } = parseInputWithExtra(userSpec, input);
    expect(Object.keys(extra)).toHaveLength(100);
  });
});
