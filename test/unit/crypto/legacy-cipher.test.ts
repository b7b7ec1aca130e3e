import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { AesGcmKeyring } from '../../../src/adapters/crypto/keyring/aes-gcm-keyring.js';
import { LegacyReadingCipher } from '../../../src/adapters/crypto/legacy/legacy-cipher.js';
import { DbstoreCipher } from '../../../src/adapters/crypto/legacy/legacy-dbstore.js';
import { MitthooksCipher } from '../../../src/adapters/crypto/legacy/legacy-mitthooks.js';
import { IntegrityError } from '../../../src/domain/errors.js';
import type { CipherPort } from '../../../src/ports/cipher.js';
import {
  DBSTORE_VECTORS,
  MITTHOOKS_VECTORS,
  upstreamDbstoreWrite,
  upstreamMitthooksKey,
  upstreamMitthooksWrite,
} from './upstream-legacy.js';

const keyring = () =>
  new AesGcmKeyring({
    keys: [
      { id: 'k1', key: randomBytes(32) },
      { id: 'k0', key: randomBytes(32) },
    ],
  });
const ctx = { table: 'extension_instance', column: 'secret', rowId: 'row-1' };

function integrity(work: () => unknown): IntegrityError {
  try {
    work();
  } catch (error) {
    expect(error).toBeInstanceOf(IntegrityError);
    return error as IntegrityError;
  }
  throw new Error('expected an IntegrityError');
}

describe('LegacyReadingCipher over mitthooks values', () => {
  const v = MITTHOOKS_VECTORS.find((x) => x.name === 'ascii-secret')!;
  let mitthooks: MitthooksCipher;
  let primary: AesGcmKeyring;
  let cipher: LegacyReadingCipher;

  beforeAll(async () => {
    mitthooks = await MitthooksCipher.fromPassword(v.password, v.salt);
    primary = keyring();
    cipher = new LegacyReadingCipher({ primary, mitthooks });
  });

  it('is a CipherPort whose writes are our envelope, bound to the row', () => {
    const port: CipherPort = cipher;
    const stored = port.encrypt('new secret', ctx);
    expect(stored.startsWith('ak1.k1.')).toBe(true);
    expect(cipher.keyIdOf(stored)).toBe('k1');
    expect(cipher.activeKeyId).toBe('k1');
    expect(cipher.formatOf(stored)).toBe('authkeep');
    expect(cipher.decrypt(stored, ctx)).toBe('new secret');
    expect(primary.decrypt(stored, ctx)).toBe('new secret');
    integrity(() => cipher.decrypt(stored, { ...ctx, rowId: 'row-2' }));
  });

  it('reads every published mitthooks vector whose key it holds, and rejects the tampered ones', async () => {
    for (const vector of MITTHOOKS_VECTORS) {
      const reader = new LegacyReadingCipher({
        primary,
        mitthooks: await MitthooksCipher.fromPassword(vector.password, vector.salt),
      });
      expect(reader.formatOf(vector.stored)).toBe('mitthooks');
      expect(reader.keyIdOf(vector.stored)).toBeNull();
      if (vector.expect === 'error') integrity(() => reader.decrypt(vector.stored, ctx));
      else expect(reader.decrypt(vector.stored, ctx)).toBe(vector.plaintext);
    }
  });

  it('reads upstream-written values (legacy formats carry no row binding) and re-encrypts them', () => {
    const stored = upstreamMitthooksWrite(upstreamMitthooksKey(v.password, v.salt), 'legacy secret');
    expect(cipher.decrypt(stored, ctx)).toBe('legacy secret');
    expect(cipher.decrypt(stored, { ...ctx, rowId: 'other' })).toBe('legacy secret');
    const rotated = cipher.encrypt(cipher.decrypt(stored, ctx), ctx);
    expect(cipher.formatOf(rotated)).toBe('authkeep');
  });

  it('never takes an unrecognised or mangled value as plaintext by default', () => {
    for (const text of ['plain secret', '', 'ak1.', 'ak1..x.y.z', 'ak1.k9.AAAA.BBBB.CCCC', '{"a":1}']) {
      integrity(() => cipher.decrypt(text, ctx));
    }
  });

  it('is an IntegrityError naming the format when a legacy value needs a reader it was not given', () => {
    const bare = new LegacyReadingCipher({ primary, plaintext: 'allow' });
    const error = integrity(() => bare.decrypt(v.stored, ctx));
    expect(error.details).toMatchObject({ format: 'mitthooks', reason: 'no_legacy_key' });
  });
});

describe('LegacyReadingCipher over dbstore values', () => {
  const primary = keyring();
  const key = randomBytes(16).toString('hex');
  const dbstore = new DbstoreCipher(key);
  const kvCtx = { table: 'keyvalue', column: 'value', rowId: 'some-key' };

  it('reads every published dbstore vector given as JSON text', () => {
    for (const vector of DBSTORE_VECTORS) {
      const reader = new LegacyReadingCipher({
        primary,
        dbstore: new DbstoreCipher(vector.key),
        plaintext: 'allow',
      });
      const json = JSON.stringify(vector.stored);
      if (vector.expect === 'error') integrity(() => reader.decrypt(json, kvCtx));
      else expect(JSON.parse(reader.decrypt(json, kvCtx))).toEqual(vector.value);
    }
  });

  it('treats a partial envelope as tampering even without a dbstore key', () => {
    const reader = new LegacyReadingCipher({ primary, plaintext: 'allow' });
    integrity(() => reader.decrypt('{"ciphertext":"abc","iv":"def"}', kvCtx));
    const error = integrity(() => reader.decrypt(JSON.stringify(upstreamDbstoreWrite(key, 1)), kvCtx));
    expect(error.details).toMatchObject({ format: 'dbstore', reason: 'no_legacy_key' });
  });

  it('returns plaintext only when allowed', () => {
    const allow = new LegacyReadingCipher({ primary, dbstore, plaintext: 'allow' });
    const refuse = new LegacyReadingCipher({ primary, dbstore, plaintext: 'refuse' });
    for (const json of ['{"data":"value1"}', '123', '"text"', 'null', '[1,2]', '"a:b:c"']) {
      expect(allow.formatOf(json)).toBe('plaintext');
      expect(allow.decrypt(json, kvCtx)).toBe(json);
      integrity(() => refuse.decrypt(json, kvCtx));
    }
    const stored = JSON.stringify(upstreamDbstoreWrite(key, { a: 1 }));
    expect(JSON.parse(refuse.decrypt(stored, kvCtx))).toEqual({ a: 1 });
  });

  it('a mangled ak1 value is never plaintext, even where plaintext is allowed', () => {
    const allow = new LegacyReadingCipher({ primary, dbstore, plaintext: 'allow' });
    const good = allow.encrypt('{"x":1}', kvCtx);
    integrity(() => allow.decrypt(good.slice(0, -2), kvCtx));
    integrity(() => allow.decrypt(good.replace('ak1.k1.', 'ak1.k!.'), kvCtx));
  });
});
