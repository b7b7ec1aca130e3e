import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AesGcmKeyring } from '../../../src/adapters/crypto/keyring/aes-gcm-keyring.js';
import {
  ColumnCipher,
  columnCipher,
  ENCRYPTED_COLUMNS,
  encryptedColumnSpec,
} from '../../../src/adapters/kysely/sealing/encrypted-columns.js';
import { ConfigError, IntegrityError, ValidationError } from '../../../src/domain/errors.js';

const cipher = new AesGcmKeyring({ keys: [{ id: 'k1', key: randomBytes(32) }] });

describe('encrypted column codec', () => {
  const secrets = columnCipher(cipher, 'twofa_devices', 'secret');

  it('encrypts on write, decrypts on read, and passes null and undefined through', () => {
    const stored = secrets.write('row-1', 'JBSWY3DPEHPK3PXP');
    expect(stored).toMatch(/^ak1\.k1\./);
    expect(stored).not.toContain('JBSWY3DPEHPK3PXP');
    expect(secrets.read('row-1', stored)).toBe('JBSWY3DPEHPK3PXP');
    expect(secrets.write('row-1', null)).toBeNull();
    expect(secrets.write('row-1', undefined)).toBeUndefined();
    expect(secrets.read('row-1', null)).toBeNull();
    expect(secrets.read('row-1', undefined)).toBeNull();
    expect(secrets.read('row-1', secrets.write('row-1', ''))).toBe('');
  });

  it('binds the value to its table, column and row', () => {
    const stored = secrets.write('row-1', 'secret');
    expect(() => secrets.read('row-2', stored)).toThrow(IntegrityError);
    const tokens = columnCipher(cipher, 'sso_sessions', 'session_token');
    expect(() => tokens.read('row-1', stored)).toThrow(IntegrityError);
  });

  it('refuses plaintext and non-text values read back', () => {
    expect(() => secrets.read('row-1', 'JBSWY3DPEHPK3PXP')).toThrow(IntegrityError);
    expect(() => secrets.read('row-1', 42)).toThrow(IntegrityError);
    expect(() => secrets.read('row-1', Buffer.from('x'))).toThrow(IntegrityError);
  });

  it('needs a row id', () => {
    expect(() => secrets.write('', 'x')).toThrow(ValidationError);
    expect(() => secrets.read(undefined as never, 'x')).toThrow(ValidationError);
  });

  it('round-trips JSON groups of secrets', () => {
    const value = { clientSecret: 's3cret', signingKey: '-----BEGIN PRIVATE KEY-----\n…' };
    const stored = secrets.writeJson('row-9', value);
    expect(stored).not.toContain('s3cret');
    expect(secrets.readJson('row-9', stored)).toEqual(value);
    expect(secrets.writeJson('row-9', null)).toBeNull();
    expect(secrets.readJson('row-9', null)).toBeNull();
    expect(() => secrets.readJson('row-9', secrets.write('row-9', 'not json'))).toThrow(IntegrityError);
  });

  it('only encrypts registered columns, so key rotation covers every encrypted value', () => {
    expect(() => columnCipher(cipher, 'twofa_devices', 'phone_number' as never)).toThrow(ConfigError);
    expect(() => encryptedColumnSpec('users', 'email')).toThrow(ConfigError);
    expect(ENCRYPTED_COLUMNS).toEqual(
      expect.arrayContaining([
        { table: 'twofa_devices', idColumn: 'id', column: 'secret' },
        { table: 'sso_sessions', idColumn: 'id', column: 'session_token' },
      ]),
    );
    const custom = new ColumnCipher(cipher, {
      table: 'extension_instance',
      idColumn: 'id',
      column: 'secret',
    });
    expect(custom.read('e1', custom.write('e1', 'x'))).toBe('x');
  });
});
