import { randomBytes, scryptSync } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { deriveMitthooksKey, MitthooksCipher } from '../../../src/adapters/crypto/legacy/legacy-mitthooks.js';
import { ConfigError, IntegrityError } from '../../../src/domain/errors.js';
import {
  flipBit,
  MITTHOOKS_VECTORS,
  randomText,
  truncate,
  upstreamMitthooksKey,
  upstreamMitthooksRead,
  upstreamMitthooksWrite,
} from './upstream-legacy.js';

const good = MITTHOOKS_VECTORS.filter((v) => v.expect === undefined);
const bad = MITTHOOKS_VECTORS.filter((v) => v.expect === 'error');

function expectIntegrity(work: () => unknown, secret?: string): void {
  let caught: unknown;
  try {
    work();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(IntegrityError);
  expect((caught as IntegrityError).code).toBe('integrity');
  if (secret) expect((caught as Error).message).not.toContain(secret);
}

describe('mitthooks-drizzle reader: published vectors', () => {
  it('has good and tampered vectors to check', () => {
    expect(good.length).toBeGreaterThanOrEqual(5);
    expect(bad.length).toBeGreaterThanOrEqual(2);
  });

  it.each(good.map((v) => [v.name, v] as const))('%s: derives the key and decrypts', async (_, v) => {
    const key = await deriveMitthooksKey(v.password, v.salt);
    expect(key.toString('hex')).toBe(v.derivedKeyHex);
    expect(MitthooksCipher.fromKey(key).decrypt(v.stored)).toBe(v.plaintext);
    expect(MitthooksCipher.recognises(v.stored)).toBe(true);
  });

  it.each(bad.map((v) => [v.name, v] as const))('%s: is an IntegrityError', async (_, v) => {
    const cipher = await MitthooksCipher.fromPassword(v.password, v.salt);
    expectIntegrity(() => cipher.decrypt(v.stored));
  });

  it('the truncated-tag vector is one upstream accepts on Node 20 (so rejecting it is a real check)', () => {
    const v = bad.find((x) => x.name.includes('truncated'))!;
    const plain = good.find((x) => x.password === v.password && x.salt === v.salt)!;
    const key = Buffer.from(plain.derivedKeyHex!, 'hex');
    expect(() => upstreamMitthooksRead(key, v.stored)).not.toThrow();
  });
});

describe('mitthooks-drizzle reader: vectors made here with the upstream writer', () => {
  const password = randomBytes(32).toString('base64');
  const salt = randomBytes(16).toString('base64');
  let key: Buffer;
  let cipher: MitthooksCipher;

  beforeAll(async () => {
    key = upstreamMitthooksKey(password, salt);
    cipher = await MitthooksCipher.fromPassword(password, salt);
  });

  it('derives the same key as scryptSync over the UTF-8 text (never base64-decoded)', async () => {
    expect((await deriveMitthooksKey(password, salt)).equals(key)).toBe(true);
    const decoded = scryptSync(Buffer.from(password, 'base64'), Buffer.from(salt, 'base64'), 32);
    expect((await deriveMitthooksKey(password, salt)).equals(decoded)).toBe(false);
    const unicode = await deriveMitthooksKey('Pässwört 🔑', 'Salz ñ');
    expect(unicode.equals(scryptSync(Buffer.from('Pässwört 🔑'), Buffer.from('Salz ñ'), 32))).toBe(true);
  });

  it('reads what the upstream writer wrote, for empty, unicode, colon-laden and long secrets', () => {
    const plaintexts = ['', 'x', 'a:b::c:', randomText(1), randomText(40), randomText(5000)];
    for (let i = 0; i < 30; i++) plaintexts.push(randomText(i * 7));
    for (const plaintext of plaintexts) {
      const stored = upstreamMitthooksWrite(key, plaintext);
      expect(cipher.decrypt(stored)).toBe(plaintext);
    }
  });

  it('writes what the upstream reader reads, in the same shape', () => {
    for (const plaintext of ['', 'secret', randomText(64)]) {
      const stored = cipher.encrypt(plaintext);
      const [iv, ct, tag] = stored.split(':') as [string, string, string];
      expect(stored.split(':')).toHaveLength(3);
      expect(iv).toMatch(/^[A-Za-z0-9+/]{16}$/);
      expect(tag).toMatch(/^[A-Za-z0-9+/]{22}==$/);
      expect(Buffer.from(ct, 'base64').length).toBe(Buffer.byteLength(plaintext));
      expect(upstreamMitthooksRead(key, stored)).toBe(plaintext);
      expect(cipher.decrypt(stored)).toBe(plaintext);
    }
  });

  it('uses a fresh IV every time', () => {
    const ivs = new Set(Array.from({ length: 50 }, () => cipher.encrypt('same').split(':')[0]));
    expect(ivs.size).toBe(50);
  });

  it('rejects every tampering and malformed layout as an IntegrityError', async () => {
    const secret = 'tamper-target-secret';
    const stored = upstreamMitthooksWrite(key, secret);
    const [iv, ct, tag] = stored.split(':') as [string, string, string];
    const other = await MitthooksCipher.fromPassword(`${password}x`, salt);
    const cases = [
      `${flipBit(iv)}:${ct}:${tag}`,
      `${iv}:${flipBit(ct, 3, 5)}:${tag}`,
      `${iv}:${ct}:${flipBit(tag, 15, 7)}`,
      ...[4, 8, 12, 13, 14, 15].map((n) => `${iv}:${ct}:${truncate(tag, n)}`),
      `${iv}:${ct}:${Buffer.concat([Buffer.from(tag, 'base64'), Buffer.alloc(1)]).toString('base64')}`,
      `${randomBytes(16).toString('base64')}:${ct}:${tag}`,
      `${iv}:${ct}:${tag}:extra`,
      `${iv}:${ct}:${tag}:`,
      `${iv}:${ct}`,
      `${iv}${ct}${tag}`,
      `:${ct}:${tag}`,
      `${iv}:${ct}:`,
      `${tag}:${ct}:${iv}`,
      `${iv}:${ct.slice(0, -1)}:${tag}`,
      `${iv}:${ct}:${tag.slice(0, 5)}-${tag.slice(6)}`,
      `${iv}:${ct}:${tag.slice(0, 5)}_${tag.slice(6)}`,
      `${iv}:${ct.slice(0, 4)}*${ct.slice(4)}:${tag}`,
      ` ${iv}:${ct}:${tag}`,
    ];
    for (const text of cases) expectIntegrity(() => cipher.decrypt(text), secret);
    expectIntegrity(() => other.decrypt(stored), secret);
    expect(cipher.decrypt(stored)).toBe(secret);
  });

  it('rejects base64 with non-zero padding bits, which a lenient decoder reads as the same bytes', () => {
    const stored = upstreamMitthooksWrite(key, 'abcd');
    const [iv, ct, tag] = stored.split(':') as [string, string, string];
    // 4 bytes encode as 6 chars + '=='; the last char carries 4 unused bits.
    const last = ct[5]!;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
    const sloppy = alphabet[alphabet.indexOf(last) ^ 1]!;
    expect(sloppy).not.toBe(last);
    const variant = `${iv}:${ct.slice(0, 5)}${sloppy}==:${tag}`;
    expect(upstreamMitthooksRead(key, variant)).toBe('abcd');
    expectIntegrity(() => cipher.decrypt(variant));
  });

  it('recognises the outline of the format and nothing else', () => {
    expect(MitthooksCipher.recognises(upstreamMitthooksWrite(key, ''))).toBe(true);
    expect(MitthooksCipher.recognises('a:b')).toBe(true);
    for (const text of ['', 'plain secret', '{"a":1}', '"a:b:c"', '42', 'v1.k1.abc']) {
      expect(MitthooksCipher.recognises(text)).toBe(false);
    }
  });
});

describe('mitthooks-drizzle key configuration', () => {
  it('refuses an empty or missing password or salt at start-up', async () => {
    await expect(deriveMitthooksKey('', 'salt')).rejects.toBeInstanceOf(ConfigError);
    await expect(deriveMitthooksKey('pw', '')).rejects.toBeInstanceOf(ConfigError);
    await expect(deriveMitthooksKey(undefined as any, 'salt')).rejects.toBeInstanceOf(ConfigError);
    expect(() => MitthooksCipher.fromKey(Buffer.alloc(16))).toThrow(ConfigError);
  });
});
