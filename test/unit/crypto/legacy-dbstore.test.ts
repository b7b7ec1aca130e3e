import { createCipheriv, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  classifyDbstoreValue,
  DbstoreCipher,
  dbstoreKeyBytes,
} from '../../../src/adapters/crypto/legacy/legacy-dbstore.js';
import { ConfigError, IntegrityError } from '../../../src/domain/errors.js';
import {
  DBSTORE_VECTORS,
  flipBit,
  randomText,
  truncate,
  upstreamDbstoreRead,
  upstreamDbstoreWrite,
} from './upstream-legacy.js';

const encrypted = DBSTORE_VECTORS.filter((v) => v.expect === undefined && !v.legacy);
const legacy = DBSTORE_VECTORS.filter((v) => v.legacy === true);
const bad = DBSTORE_VECTORS.filter((v) => v.expect === 'error');

function expectIntegrity(work: () => unknown, secret?: string): void {
  let caught: unknown;
  try {
    work();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(IntegrityError);
  if (secret) expect((caught as Error).message).not.toContain(secret);
}

/** What the store does with a stored value: decrypt an envelope, pass plaintext, refuse a partial one. */
function read(cipher: DbstoreCipher, stored: unknown): unknown {
  const shape = classifyDbstoreValue(stored);
  if (shape === 'plain') return stored;
  return JSON.parse(cipher.decrypt(stored));
}

describe('dbstore reader: published vectors', () => {
  it('has encrypted, legacy and tampered vectors, every key 32 UTF-8 bytes', () => {
    expect(encrypted.length).toBeGreaterThanOrEqual(5);
    expect(legacy.length).toBeGreaterThanOrEqual(2);
    expect(bad.length).toBeGreaterThanOrEqual(3);
    for (const v of DBSTORE_VECTORS) expect(Buffer.byteLength(v.key)).toBe(32);
  });

  it.each(encrypted.map((v) => [v.name, v] as const))('%s: decrypts to the value', (_, v) => {
    expect(classifyDbstoreValue(v.stored)).toBe('envelope');
    expect(read(new DbstoreCipher(v.key), v.stored)).toEqual(v.value);
  });

  it.each(legacy.map((v) => [v.name, v] as const))('%s: legacy plaintext comes back as it is', (_, v) => {
    expect(classifyDbstoreValue(v.stored)).toBe('plain');
    expect(read(new DbstoreCipher(v.key), v.stored)).toEqual(v.value);
  });

  it.each(bad.map((v) => [v.name, v] as const))('%s: is an IntegrityError', (_, v) => {
    expectIntegrity(() => read(new DbstoreCipher(v.key), v.stored));
  });

  it('the truncated-tag vector is one the upstream reader accepts on Node 20', () => {
    const v = bad.find((x) => x.name.includes('truncated'))!;
    expect(upstreamDbstoreRead(v.key, v.stored)).toEqual({ data: 'secret' });
  });
});

describe('dbstore key', () => {
  it('is the UTF-8 bytes of the string, 32 of them, never decoded', () => {
    expect(dbstoreKeyBytes('12345678901234567890123456789012').toString('utf8')).toBe(
      '12345678901234567890123456789012',
    );
    expect(dbstoreKeyBytes('🔑Schlüssel-44d1723dxxxxxxxxx')).toHaveLength(32);
    expect(dbstoreKeyBytes(randomBytes(32))).toHaveLength(32);
    expect(dbstoreKeyBytes(randomBytes(16).toString('hex'))).toHaveLength(32);
    expect(dbstoreKeyBytes(randomBytes(24).toString('base64'))).toHaveLength(32);
  });

  it('of any other length is a ConfigError at construction, naming the length but not the key', () => {
    const hex64 = randomBytes(32).toString('hex');
    const b64 = randomBytes(32).toString('base64');
    for (const key of [hex64, b64, 'short', '', 'x'.repeat(31), 'é'.repeat(16) + 'x', randomBytes(33)]) {
      let caught: unknown;
      try {
        new DbstoreCipher(key);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(ConfigError);
      if (typeof key === 'string' && key.length > 0) expect((caught as Error).message).not.toContain(key);
    }
  });
});

describe('dbstore reader: vectors made here with the upstream writer', () => {
  const key = randomBytes(16).toString('hex');
  const cipher = new DbstoreCipher(key);
  const values: unknown[] = [
    { data: 'value1' },
    'plain string',
    '',
    0,
    -12.5,
    true,
    false,
    null,
    [],
    [1, 'two', { three: [3] }],
    { nested: { deep: { unicode: randomText(30) } } },
    randomText(2000),
    Array.from({ length: 500 }, (_, i) => ({ i, s: randomText(5) })),
  ];

  it('reads every value as JSON round-trips it', () => {
    for (const value of values) {
      const stored = upstreamDbstoreWrite(key, value);
      expect(classifyDbstoreValue(stored)).toBe('envelope');
      expect(read(cipher, stored)).toEqual(JSON.parse(JSON.stringify(value)));
    }
  });

  it('keeps upstream JSON semantics: Dates become ISO text, NaN null, undefined properties dropped', () => {
    const date = new Date('2024-05-06T07:08:09.010Z');
    const stored = upstreamDbstoreWrite(key, { date, nan: Number.NaN, gone: undefined });
    expect(read(cipher, stored)).toEqual({ date: date.toISOString(), nan: null });
  });

  it('writes what the upstream reader reads, field for field', () => {
    for (const value of values) {
      const stored = cipher.encrypt(JSON.stringify(value));
      expect(Object.keys(stored)).toEqual(['ciphertext', 'iv', 'authTag']);
      expect(stored.iv).toMatch(/^[A-Za-z0-9+/]{16}$/);
      expect(stored.authTag).toMatch(/^[A-Za-z0-9+/]{22}==$/);
      expect(upstreamDbstoreRead(key, stored)).toEqual(value);
      expect(read(cipher, stored)).toEqual(value);
    }
  });

  it('classifies plaintext and partial envelopes as the spec recommends', () => {
    for (const value of [0, false, '', null, [], 'text', 42, { a: 1 }, [{ iv: 'x' }], { IV: 'x' }]) {
      expect(classifyDbstoreValue(value)).toBe('plain');
    }
    const whole = upstreamDbstoreWrite(key, 'x');
    const partials = [
      { ciphertext: whole.ciphertext },
      { iv: whole.iv, authTag: whole.authTag },
      { ...whole, authTag: '' },
      { ...whole, ciphertext: '' },
      { ...whole, iv: null },
      { ...whole, iv: 12 },
      { ...whole, authTag: ['x'] },
    ];
    for (const value of partials) {
      expect(classifyDbstoreValue(value)).toBe('partial');
      expectIntegrity(() => read(cipher, value));
    }
    // Upstream returned every one of these as trusted plaintext.
    for (const value of partials.slice(0, 4)) expect(upstreamDbstoreRead(key, value)).toEqual(value);
  });

  it('rejects every tampering as an IntegrityError without echoing the value', () => {
    const secret = 'dbstore-tamper-target';
    const stored = upstreamDbstoreWrite(key, { secret });
    const cases = [
      { ...stored, ciphertext: flipBit(stored.ciphertext, 2, 1) },
      { ...stored, iv: flipBit(stored.iv) },
      { ...stored, authTag: flipBit(stored.authTag, 15, 7) },
      ...[4, 8, 12, 13, 14, 15].map((n) => ({ ...stored, authTag: truncate(stored.authTag, n) })),
      { ...stored, iv: randomBytes(16).toString('base64') },
      { ...stored, iv: stored.authTag, authTag: stored.iv },
      { ...stored, ciphertext: stored.ciphertext.slice(0, -1) },
      { ...stored, ciphertext: `*${stored.ciphertext}` },
      { ...stored, authTag: stored.authTag.replace(/\+/g, '-').replace(/\//g, '_') + ' ' },
    ];
    for (const value of cases) expectIntegrity(() => read(cipher, value), secret);
    expectIntegrity(() => read(new DbstoreCipher(randomBytes(16).toString('hex')), stored), secret);
    expect(read(cipher, stored)).toEqual({ secret });
  });

  it('refuses an authentic ciphertext whose plaintext is not JSON text', () => {
    const iv = randomBytes(12);
    const gcm = createCipheriv('aes-256-gcm', Buffer.from(key), iv);
    const ciphertext = Buffer.concat([gcm.update('not json', 'utf8'), gcm.final()]);
    const stored = {
      ciphertext: ciphertext.toString('base64'),
      iv: iv.toString('base64'),
      authTag: gcm.getAuthTag().toString('base64'),
    };
    expectIntegrity(() => read(cipher, stored));
  });
});
