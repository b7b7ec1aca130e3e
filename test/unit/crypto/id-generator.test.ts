import { describe, expect, it } from 'vitest';
import { uuidV7Ids } from '../../../src/adapters/crypto/random/id-generator.js';

describe('uuidV7Ids.token (CSPRNG bytes drawn in blocks)', () => {
  it('hands out distinct 256-bit tokens across many block refills', () => {
    const tokens = Array.from({ length: 2000 }, () => uuidV7Ids.token());
    expect(new Set(tokens).size).toBe(tokens.length);
    for (const token of tokens) expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('keeps the requested size and encoding, mixed sizes included', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 500; i++) {
      const hex = uuidV7Ids.token(32, 'hex');
      expect(hex).toMatch(/^[0-9a-f]{64}$/);
      const odd = uuidV7Ids.token(7 + (i % 5));
      expect(Buffer.from(odd, 'base64url').length).toBe(7 + (i % 5));
      seen.add(hex).add(odd);
    }
    expect(seen.size).toBe(1000);
    expect(uuidV7Ids.token(4096, 'hex')).toMatch(/^[0-9a-f]{8192}$/);
  });

  it('never hands out an all-zero token (a wiped slice is never reused)', () => {
    const zero = '0'.repeat(64);
    for (let i = 0; i < 1000; i++) expect(uuidV7Ids.token(32, 'hex')).not.toBe(zero);
  });
});
