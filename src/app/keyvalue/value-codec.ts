import { classifyDbstoreValue, type DbstoreCipher } from '../../adapters/crypto/legacy/legacy-dbstore.js';
import type { LegacyReadingCipher } from '../../adapters/crypto/legacy/legacy-cipher.js';
import { IntegrityError, ValidationError } from '../../domain/errors.js';
import type { CipherContext } from '../../ports/cipher.js';

/** Turns a value into the JSON text stored for a key, and stored JSON text back into the value. */
export interface ValueCodec {
  /** Whether values are encrypted at rest. */
  readonly encrypted: boolean;
  write(key: string, value: unknown): string;
  read(key: string, json: string): unknown;
  /** Whether stored JSON is already in the form `write` makes now (our envelope under the active key). */
  isCurrent(json: string): boolean;
}

/** JSON text of a value, as dbstore's JSON.stringify made it (Dates become ISO text, NaN null). */
export function toJsonText(value: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    throw new ValidationError('the value cannot be stored as JSON (a BigInt or a cycle)');
  }
  if (text === undefined) {
    throw new ValidationError('the value cannot be stored as JSON (undefined, a function or a symbol)');
  }
  return text;
}

function parseJson(json: string, what: string): unknown {
  try {
    return JSON.parse(json) as unknown;
  } catch {
    throw new IntegrityError(`${what} is not valid JSON`);
  }
}

/** No encryption: values are stored and returned as JSON, envelopes included (as dbstore without a key). */
export const plainValues: ValueCodec = {
  encrypted: false,
  write: (_key, value) => toJsonText(value),
  read: (_key, json) => parseJson(json, 'a stored value'),
  isCurrent: () => true,
};

/**
 * dbstore's own format, for a store given only dbstore's key: writes `{ciphertext, iv, authTag}`
 * objects that dbstore-manager still reads; reads those, plaintext rows (unless refused), and treats
 * a partial envelope as tampering.
 */
export function dbstoreValues(cipher: DbstoreCipher, allowPlaintext: boolean): ValueCodec {
  return {
    encrypted: true,
    write: (_key, value) => JSON.stringify(cipher.encrypt(toJsonText(value))),
    read(_key, json) {
      const stored = parseJson(json, 'a stored value');
      const shape = classifyDbstoreValue(stored);
      if (shape === 'envelope') return parseJson(cipher.decrypt(stored), 'a decrypted value');
      if (shape === 'partial') {
        throw new IntegrityError('a stored value has only part of a dbstore encryption envelope');
      }
      if (!allowPlaintext)
        throw new IntegrityError('a stored value is not encrypted and plaintext is refused');
      return stored;
    },
    // dbstore's format has no key id: an envelope is as current as it can be.
    isCurrent: (json) => classifyDbstoreValue(parseJson(json, 'a stored value')) === 'envelope',
  };
}

/**
 * Our envelope through a CipherPort, stored as a JSON string and bound to (table, 'value', key); reads
 * dbstore rows and plaintext through the legacy-reading cipher, which decides what it accepts.
 */
export function envelopeValues(cipher: LegacyReadingCipher, table: string): ValueCodec {
  const context = (key: string): CipherContext => ({ table, column: 'value', rowId: key });
  return {
    encrypted: true,
    write: (key, value) => JSON.stringify(cipher.encrypt(toJsonText(value), context(key))),
    read(key, json) {
      const stored = parseJson(json, 'a stored value');
      // Our envelope is a JSON string; anything else goes to the cipher as the JSON text it is.
      const input = typeof stored === 'string' && cipher.keyIdOf(stored) !== null ? stored : json;
      return parseJson(cipher.decrypt(input, context(key)), 'a decrypted value');
    },
    isCurrent(json) {
      const stored = parseJson(json, 'a stored value');
      return typeof stored === 'string' && cipher.keyIdOf(stored) === cipher.activeKeyId;
    },
  };
}
