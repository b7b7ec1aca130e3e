import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AesGcmKeyring } from '../../../src/adapters/crypto/keyring/aes-gcm-keyring.js';
import { keysFromEnv, parseKeyList } from '../../../src/adapters/crypto/keyring/key-config.js';
import { ConfigError } from '../../../src/domain/errors.js';

const b64 = (bytes = randomBytes(32)) => bytes.toString('base64');

function configError(run: () => unknown): ConfigError {
  let caught: unknown;
  try {
    run();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(ConfigError);
  expect((caught as ConfigError).code).toBe('config');
  return caught as ConfigError;
}

describe('parseKeyList', () => {
  it('reads id:base64 pairs in order, the first being the active key', () => {
    const [a, b] = [randomBytes(32), randomBytes(32)];
    const keys = parseKeyList(` k2:${a.toString('base64')} ,\n k1:${b.toString('base64url')}, `);
    expect(keys.map((k) => k.id)).toEqual(['k2', 'k1']);
    expect(keys[0]?.key.equals(a)).toBe(true);
    expect(keys[1]?.key.equals(b)).toBe(true);
    // Unpadded standard base64 is accepted too.
    expect(parseKeyList(`x_Y-9:${a.toString('base64').replace(/=+$/, '')}`)[0]?.key.equals(a)).toBe(true);
  });

  it.each([
    ['an empty value', ''],
    ['only separators', ' , ,'],
    ['an entry without an id', `${b64()}`],
    ['an empty id', `:${b64()}`],
    ['an id with a dot', `k.1:${b64()}`],
    ['an id with a space', `k 1:${b64()}`],
    ['an id longer than 32 characters', `${'k'.repeat(33)}:${b64()}`],
    ['a key that is not base64', 'k1:not*base64!'],
    ['a key with junk inside', `k1:${b64().slice(0, 20)}$$${b64().slice(20)}`],
    ['a 16-byte key', `k1:${b64(randomBytes(16))}`],
    ['a 31-byte key', `k1:${b64(randomBytes(31))}`],
    ['a 33-byte key', `k1:${b64(randomBytes(33))}`],
    ['a 64-character hex key (not decoded as hex)', `k1:${randomBytes(32).toString('hex')}`],
    ['an all-zero key', `k1:${b64(Buffer.alloc(32))}`],
    ['a duplicate id', `k1:${b64()},k1:${b64()}`],
  ])('rejects %s at construction', (_name, text) => {
    configError(() => parseKeyList(text));
    configError(() => new AesGcmKeyring({ keys: text }));
  });

  it('rejects the same key listed under two ids', () => {
    const key = b64();
    expect(configError(() => parseKeyList(`k2:${key},k1:${key}`)).message).toMatch(/k2.*k1|k1.*k2/);
  });

  it('names the key by id or position, never by its material', () => {
    const material = randomBytes(31).toString('base64');
    const swapped = randomBytes(32).toString('base64');
    for (const text of [`k1:${material}`, `${swapped}:k1`, `k1:${material}!`]) {
      const error = configError(() => parseKeyList(text));
      expect(error.message).not.toContain(material);
      expect(error.message).not.toContain(swapped);
      expect(error.message).not.toContain(material.slice(0, 8));
      expect(JSON.stringify({ ...error, message: error.message })).not.toContain(material.slice(0, 8));
    }
  });
});

describe('keys from the environment', () => {
  it('reads AUTHKEEP_ENCRYPTION_KEYS', () => {
    const env = { AUTHKEEP_ENCRYPTION_KEYS: `k2:${b64()},k1:${b64()}` };
    expect(keysFromEnv(env).map((k) => k.id)).toEqual(['k2', 'k1']);
    const ring = AesGcmKeyring.fromEnv(env);
    expect(ring.activeKeyId).toBe('k2');
    expect(ring.keyIds).toEqual(['k2', 'k1']);
  });

  it('fails at start-up when the variable is missing, empty or malformed', () => {
    configError(() => AesGcmKeyring.fromEnv({}));
    configError(() => AesGcmKeyring.fromEnv({ AUTHKEEP_ENCRYPTION_KEYS: '  ' }));
    configError(() => AesGcmKeyring.fromEnv({ AUTHKEEP_ENCRYPTION_KEYS: `k1:${b64(randomBytes(24))}` }));
  });
});

describe('AesGcmKeyring options', () => {
  it('accepts raw bytes and base64 text, and validates activeKeyId', () => {
    const ring = new AesGcmKeyring({
      keys: [
        { id: 'a', key: new Uint8Array(randomBytes(32)) },
        { id: 'b', key: b64() },
      ],
    });
    expect(ring.activeKeyId).toBe('a');
    configError(() => new AesGcmKeyring({ keys: [{ id: 'a', key: b64() }], activeKeyId: 'b' }));
    configError(() => new AesGcmKeyring({ keys: [{ id: 'a', key: b64() }], activeKeyId: 'no good' }));
    configError(() => new AesGcmKeyring({ keys: [] }));
    configError(() => new AesGcmKeyring({ keys: [{ id: 'a', key: 42 as never }] }));
    configError(() => new AesGcmKeyring({ keys: [{ id: 'a', key: new Uint8Array(16) }] }));
    configError(() => new AesGcmKeyring(undefined as never));
  });
});
