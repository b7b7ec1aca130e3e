import { LegacyReadingCipher } from '../../adapters/crypto/legacy/legacy-cipher.js';
import { MitthooksCipher } from '../../adapters/crypto/legacy/legacy-mitthooks.js';
import { ConfigError } from '../../domain/errors.js';
import type { CipherPort } from '../../ports/cipher.js';

/** Seals and opens the `secret` column for one row. */
export interface SecretCodec {
  write(rowId: string, secret: string): string;
  read(rowId: string, stored: string): string;
}

export interface SecretKeys {
  masterPassword?: string | undefined;
  salt?: string | undefined;
  keyring?: CipherPort | undefined;
}

/** Checked when the storage is built: a secret is never stored in clear, half a legacy key is a mistake. */
export function assertSecretKeys(keys: SecretKeys): void {
  const { masterPassword, salt, keyring } = keys;
  if ((masterPassword === undefined) !== (salt === undefined)) {
    throw new ConfigError('masterPassword and salt go together (both or neither)');
  }
  for (const [name, value] of [
    ['masterPassword', masterPassword],
    ['salt', salt],
  ] as const) {
    if (value !== undefined && (typeof value !== 'string' || value.length === 0)) {
      throw new ConfigError(`${name} must be a non-empty string`);
    }
  }
  if (!keyring && masterPassword === undefined) {
    throw new ConfigError('secrets are stored encrypted: give a keyring, or masterPassword and salt');
  }
}

/**
 * With a keyring: writes our envelope bound to (table, secret, id), reads it and, given the legacy
 * password and salt, mitthooks-drizzle's text. With only those: reads and writes mitthooks' format.
 * Plaintext is never accepted: mitthooks-drizzle never stored a secret in clear.
 */
export async function createSecretCodec(keys: SecretKeys, table: string): Promise<SecretCodec> {
  const legacy =
    keys.masterPassword !== undefined && keys.salt !== undefined
      ? await MitthooksCipher.fromPassword(keys.masterPassword, keys.salt)
      : undefined;
  if (keys.keyring) {
    const cipher = new LegacyReadingCipher({ primary: keys.keyring, mitthooks: legacy, plaintext: 'refuse' });
    const context = (rowId: string) => ({ table, column: 'secret', rowId });
    return {
      write: (rowId, secret) => cipher.encrypt(secret, context(rowId)),
      read: (rowId, stored) => cipher.decrypt(stored, context(rowId)),
    };
  }
  if (!legacy) throw new ConfigError('no key to encrypt mitthooks secrets with');
  return {
    write: (_rowId, secret) => legacy.encrypt(secret),
    read: (_rowId, stored) => legacy.decrypt(stored),
  };
}
