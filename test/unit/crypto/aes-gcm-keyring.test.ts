import { createCipheriv, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AesGcmKeyring } from '../../../src/adapters/crypto/keyring/aes-gcm-keyring.js';
import { IntegrityError, ValidationError } from '../../../src/domain/errors.js';

const k1 = randomBytes(32);
const k2 = randomBytes(32);
const ctx = { table: 'twofa_devices', column: 'secret', rowId: '0190a1b2-0000-7000-8000-000000000001' };
const ENVELOPE = /^ak1\.([A-Za-z0-9_-]{1,32})\.([A-Za-z0-9_-]{16})\.([A-Za-z0-9_-]*)\.([A-Za-z0-9_-]{22})$/;

const keyring = (...keys: [string, Buffer][]) =>
  new AesGcmKeyring({ keys: keys.map(([id, key]) => ({ id, key })) });

function expectIntegrity(run: () => unknown): IntegrityError {
  let caught: unknown;
  try {
    run();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(IntegrityError);
  expect((caught as IntegrityError).code).toBe('integrity');
  return caught as IntegrityError;
}

/** The documented envelope, built independently of the adapter: pins the format, not just a round trip. */
function sealByHand(keyId: string, key: Buffer, plaintext: string, context: typeof ctx): string {
  const part = (text: string) => {
    const bytes = Buffer.from(text, 'utf8');
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    return Buffer.concat([length, bytes]);
  };
  const aad = Buffer.concat([
    Buffer.from('authkeep.cipher.ak1\0'),
    part(keyId),
    part(context.table),
    part(context.column),
    part(context.rowId),
  ]);
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: 16 });
  cipher.setAAD(aad);
  const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return ['ak1', keyId, iv, ct, cipher.getAuthTag()]
    .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
    .join('.');
}

describe('AesGcmKeyring round trip', () => {
  const ring = keyring(['k2', k2], ['k1', k1]);

  it.each([
    ['empty string', ''],
    ['ascii', 'JBSWY3DPEHPK3PXP'],
    ['unicode', 'héllo wörld ✓ 日本語 👩‍💻 e\u0301'],
    ['nul and control characters', 'a\u0000b\n\t\u007f'],
    ['dots and colons', 'ak1.k1.a.b.c:d:e'],
    ['large (1 MiB)', 'x'.repeat(1024 * 1024 - 3) + '€'],
  ])('%s', (_name, plaintext) => {
    const envelope = ring.encrypt(plaintext, ctx);
    const match = ENVELOPE.exec(envelope);
    expect(match).not.toBeNull();
    expect(match?.[1]).toBe('k2');
    // GCM: the ciphertext is exactly as long as the UTF-8 plaintext.
    expect(Buffer.from(match?.[3] ?? '', 'base64url').length).toBe(Buffer.byteLength(plaintext));
    expect(ring.decrypt(envelope, ctx)).toBe(plaintext);
  });

  it('uses a fresh IV every time, so equal plaintexts give different envelopes', () => {
    const ivs = new Set<string>();
    for (let i = 0; i < 2000; i++) ivs.add(ENVELOPE.exec(ring.encrypt('same', ctx))?.[2] ?? '');
    expect(ivs.size).toBe(2000);
  });

  it('reads an envelope built by hand from the documented format', () => {
    expect(ring.decrypt(sealByHand('k1', k1, 'by hand ✓', ctx), ctx)).toBe('by hand ✓');
    expect(ring.decrypt(sealByHand('k2', k2, '', ctx), ctx)).toBe('');
  });

  it('keeps working after the caller wipes the key buffers it passed in', () => {
    const mine = Buffer.from(k1);
    const ring2 = new AesGcmKeyring({ keys: [{ id: 'k1', key: mine }] });
    mine.fill(0);
    expect(ring2.decrypt(ring2.encrypt('still here', ctx), ctx)).toBe('still here');
    expect(keyring(['k1', k1]).decrypt(ring2.encrypt('same key', ctx), ctx)).toBe('same key');
  });
});

describe('AesGcmKeyring key selection', () => {
  it('encrypts with the active key and decrypts with whichever key the envelope names', () => {
    const old = keyring(['k1', k1]);
    const legacy = old.encrypt('old secret', ctx);
    const rotated = keyring(['k2', k2], ['k1', k1]);
    expect(rotated.activeKeyId).toBe('k2');
    expect(rotated.keyIdOf(legacy)).toBe('k1');
    expect(rotated.decrypt(legacy, ctx)).toBe('old secret');
    const fresh = rotated.encrypt('new secret', ctx);
    expect(rotated.keyIdOf(fresh)).toBe('k2');
    expect(old.keyIdOf(fresh)).toBe('k2');
    // A keyring that no longer holds k1 cannot read k1's envelopes, and says so.
    const error = expectIntegrity(() => keyring(['k2', k2]).decrypt(legacy, ctx));
    expect(error.details).toMatchObject({ keyId: 'k1' });
  });

  it('honours an explicit activeKeyId', () => {
    const ring = new AesGcmKeyring({
      keys: [
        { id: 'k2', key: k2 },
        { id: 'k1', key: k1 },
      ],
      activeKeyId: 'k1',
    });
    expect(ring.keyIdOf(ring.encrypt('x', ctx))).toBe('k1');
  });

  it('keyIdOf is null for anything that is not our envelope', () => {
    const ring = keyring(['k1', k1]);
    for (const value of [
      'JBSWY3DPEHPK3PXP',
      'AAAAAAAAAAAAAAAA:AAAA:AAAAAAAAAAAAAAAAAAAAAA==',
      '{"ciphertext":"AA==","iv":"AA==","authTag":"AA=="}',
      '',
      'ak1',
      'ak1.',
      'ak1..x',
      'ak1.bad id.x.y.z',
      'ak2.k1.a.b.c',
    ]) {
      expect(ring.keyIdOf(value)).toBeNull();
    }
    expect(ring.keyIdOf(undefined as unknown as string)).toBeNull();
    expect(ring.keyIdOf(42 as unknown as string)).toBeNull();
  });
});

describe('AesGcmKeyring integrity', () => {
  const ring = keyring(['k2', k2], ['k1', k1]);

  it('rejects every single-bit flip in every byte of IV, ciphertext and tag', () => {
    const envelope = ring.encrypt('abc', ctx);
    const [prefix, keyId, ...pieces] = envelope.split('.');
    let tried = 0;
    pieces.forEach((piece, index) => {
      const bytes = Buffer.from(piece, 'base64url');
      for (let byte = 0; byte < bytes.length; byte++) {
        for (let bit = 0; bit < 8; bit++) {
          const copy = Buffer.from(bytes);
          copy[byte] = (copy[byte] as number) ^ (1 << bit);
          const changed = [...pieces];
          changed[index] = copy.toString('base64url');
          expectIntegrity(() => ring.decrypt([prefix, keyId, ...changed].join('.'), ctx));
          tried++;
        }
      }
    });
    expect(tried).toBe((12 + 3 + 16) * 8);
  });

  it('rejects any change to any character of the envelope text', () => {
    const envelope = ring.encrypt('tamper me', ctx);
    const alphabet = 'Aa0_-.kZ=+/ ';
    for (let i = 0; i < envelope.length; i++) {
      for (const replacement of alphabet) {
        if (replacement === envelope[i]) continue;
        const changed = envelope.slice(0, i) + replacement + envelope.slice(i + 1);
        expectIntegrity(() => ring.decrypt(changed, ctx));
      }
    }
  });

  it('rejects a wrong key under the right id', () => {
    const envelope = ring.encrypt('secret', ctx);
    expectIntegrity(() => keyring(['k2', randomBytes(32)]).decrypt(envelope, ctx));
  });

  it('rejects an envelope relabelled with another key id of the keyring', () => {
    const envelope = ring.encrypt('secret', ctx);
    expectIntegrity(() => ring.decrypt(envelope.replace(/^ak1\.k2\./, 'ak1.k1.'), ctx));
  });

  it('rejects a ciphertext moved to another row, column or table', () => {
    const envelope = ring.encrypt('secret', ctx);
    expectIntegrity(() => ring.decrypt(envelope, { ...ctx, rowId: `${ctx.rowId.slice(0, -1)}2` }));
    expectIntegrity(() => ring.decrypt(envelope, { ...ctx, column: 'phone_number' }));
    expectIntegrity(() => ring.decrypt(envelope, { ...ctx, table: 'sso_sessions' }));
  });

  it('encodes the context unambiguously (no two contexts share associated data)', () => {
    const a = { table: 'ab', column: 'c', rowId: 'd' };
    const envelope = ring.encrypt('secret', a);
    expectIntegrity(() => ring.decrypt(envelope, { table: 'a', column: 'bc', rowId: 'd' }));
    expectIntegrity(() => ring.decrypt(envelope, { table: 'a', column: 'b', rowId: 'cd' }));
    const b = { table: 't', column: 'c', rowId: 'x\u0000' };
    expectIntegrity(() => ring.decrypt(ring.encrypt('s', b), { table: 't', column: 'c\u0000', rowId: 'x' }));
  });

  it('rejects truncated and over-long tags (Node 20 would accept a 4-byte tag without authTagLength)', () => {
    const envelope = ring.encrypt('secret', ctx);
    const pieces = envelope.split('.');
    const tag = Buffer.from(pieces[4] as string, 'base64url');
    for (const length of [0, 4, 8, 12, 13, 14, 15, 17]) {
      const resized = length <= 16 ? tag.subarray(0, length) : Buffer.concat([tag, Buffer.alloc(1)]);
      const changed = [...pieces.slice(0, 4), resized.toString('base64url')].join('.');
      expectIntegrity(() => ring.decrypt(changed, ctx));
    }
  });

  it('rejects malformed envelopes with an IntegrityError, never a crash or garbage', () => {
    const good = ring.encrypt('secret', ctx);
    const [, , iv, ct, tag] = good.split('.') as string[];
    const cases: unknown[] = [
      '',
      'ak1',
      'ak1.k2',
      'ak1.k2.....',
      `ak1.k2.${iv}.${ct}`,
      `ak1.k2.${iv}.${ct}.${tag}.`,
      `ak1.k2.${iv}.${ct}.${tag}.extra`,
      `AK1.k2.${iv}.${ct}.${tag}`,
      `ak2.k2.${iv}.${ct}.${tag}`,
      ` ${good}`,
      `${good}\n`,
      `ak1..${iv}.${ct}.${tag}`,
      `ak1.k 2.${iv}.${ct}.${tag}`,
      `ak1.${'k'.repeat(33)}.${iv}.${ct}.${tag}`,
      `ak1.k2.${iv}=.${ct}.${tag}`,
      `ak1.k2.${iv}.${ct}.${tag}==`,
      `ak1.k2.${iv}.${ct}.${(tag as string).slice(0, -2)}+/`, // standard alphabet
      `ak1.k2.${iv}A.${ct}.${tag}`,
      `ak1.k2.${(iv as string).slice(0, -1)}.${ct}.${tag}`,
      `ak1.k2.${iv}.${ct}.${(tag as string).slice(0, -1)}B`, // non-zero trailing bits
      `ak1.k2.${iv}.${ct}!.${tag}`,
      `ak1.k9.${iv}.${ct}.${tag}`,
      'JBSWY3DPEHPK3PXP',
      'AAAAAAAAAAAAAAAA:AAAA:AAAAAAAAAAAAAAAAAAAAAA==',
      null,
      undefined,
      42,
      {},
      Buffer.from(good),
    ];
    cases.forEach((value, index) => {
      expect(() => ring.decrypt(value as string, ctx), `case ${index}`).toThrow(IntegrityError);
    });
  });

  it('reports invalid non-UTF-8 plaintext sealed by someone else as an integrity error', () => {
    const iv = randomBytes(12);
    const part = (text: string) => {
      const b = Buffer.from(text);
      const l = Buffer.alloc(4);
      l.writeUInt32BE(b.length);
      return Buffer.concat([l, b]);
    };
    const aad = Buffer.concat([
      Buffer.from('authkeep.cipher.ak1\0'),
      part('k1'),
      part(ctx.table),
      part(ctx.column),
      part(ctx.rowId),
    ]);
    const cipher = createCipheriv('aes-256-gcm', k1, iv, { authTagLength: 16 });
    cipher.setAAD(aad);
    const ct = Buffer.concat([cipher.update(Buffer.from([0xff, 0xfe])), cipher.final()]);
    const envelope = ['ak1', 'k1', iv, ct, cipher.getAuthTag()]
      .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
      .join('.');
    expectIntegrity(() => ring.decrypt(envelope, ctx));
  });
});

describe('AesGcmKeyring input validation', () => {
  const ring = keyring(['k1', k1]);

  it('refuses non-strings and lone surrogates instead of storing something else', () => {
    expect(() => ring.encrypt(42 as unknown as string, ctx)).toThrow(ValidationError);
    expect(() => ring.encrypt(null as unknown as string, ctx)).toThrow(ValidationError);
    expect(() => ring.encrypt('\ud800', ctx)).toThrow(ValidationError);
  });

  it('requires a complete context on both sides', () => {
    const envelope = ring.encrypt('x', ctx);
    for (const bad of [
      undefined,
      {},
      { ...ctx, rowId: '' },
      { ...ctx, table: undefined },
      { ...ctx, column: 7 },
      { ...ctx, rowId: 'x'.repeat(1025) },
      { ...ctx, rowId: '\udc00' },
    ]) {
      expect(() => ring.encrypt('x', bad as never)).toThrow(ValidationError);
      expect(() => ring.decrypt(envelope, bad as never)).toThrow(ValidationError);
    }
  });
});

describe('a keyring without keys', () => {
  it('names the variable to set, for undefined (process.env.X unset) and blank text alike', () => {
    for (const keys of [undefined, '', '  ']) {
      expect(() => new AesGcmKeyring({ keys })).toThrow(
        expect.objectContaining({
          code: 'config',
          message: expect.stringContaining('AUTHKEEP_ENCRYPTION_KEYS'),
        }),
      );
    }
  });
});
