import { createCipheriv, randomBytes } from 'node:crypto';
import { ConfigError, IntegrityError, ValidationError } from '../../../domain/errors.js';
import { openLegacyGcm } from './legacy-gcm.js';
import { decodeStrictBase64 } from './strict-base64.js';

const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const FIELDS = ['ciphertext', 'iv', 'authTag'] as const;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The object dbstore-manager stores for an encrypted value (keys in this order). */
export interface DbstoreEnvelope {
  ciphertext: string;
  iv: string;
  authTag: string;
}

/**
 * What a stored dbstore value is: a whole envelope, a value with only some envelope fields (tampering:
 * upstream would have returned it as trusted plaintext), or a value with none of them (legacy plaintext).
 */
export type DbstoreShape = 'envelope' | 'partial' | 'plain';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function classifyDbstoreValue(value: unknown): DbstoreShape {
  if (!isRecord(value)) return 'plain';
  const present = FIELDS.filter((field) => Object.hasOwn(value, field));
  if (present.length === 0) return 'plain';
  const whole = FIELDS.every((field) => typeof value[field] === 'string' && value[field] !== '');
  return whole ? 'envelope' : 'partial';
}

/**
 * dbstore's key: `Buffer.from(key)`, i.e. the UTF-8 bytes of a string, never hex- or base64-decoded.
 * Only 32 bytes are usable; upstream derived other lengths with a random, unsaved salt (data loss).
 */
export function dbstoreKeyBytes(key: string | Uint8Array): Buffer {
  const bytes = typeof key === 'string' ? Buffer.from(key, 'utf8') : Buffer.from(key);
  if (bytes.length !== KEY_BYTES) {
    throw new ConfigError(
      `the dbstore encryption key must be exactly 32 bytes (its UTF-8 bytes are used as they are, ` +
        `with no hex or base64 decoding); this one is ${bytes.length} bytes`,
    );
  }
  return bytes;
}

/**
 * Reads (and, where a store is asked to, writes) dbstore-manager's `{ciphertext, iv, authTag}` objects.
 * The plaintext is JSON text. Stricter than upstream: canonical base64, a 12-byte IV, a 16-byte tag.
 * The format has no associated data, so a value is not bound to its row.
 */
export class DbstoreCipher {
  readonly #key: Buffer;

  constructor(key: string | Uint8Array) {
    this.#key = dbstoreKeyBytes(key);
  }

  /** Decrypts a stored value that `classifyDbstoreValue` calls an envelope; returns its JSON text. */
  decrypt(stored: unknown): string {
    const shape = classifyDbstoreValue(stored);
    if (shape !== 'envelope') {
      throw new IntegrityError(
        shape === 'partial'
          ? 'a dbstore value has only part of an encryption envelope (tampered)'
          : 'a dbstore value is not an encryption envelope',
      );
    }
    const envelope = stored as unknown as DbstoreEnvelope;
    const iv = decodeStrictBase64(envelope.iv, 'dbstore IV');
    const tag = decodeStrictBase64(envelope.authTag, 'dbstore auth tag');
    const ciphertext = decodeStrictBase64(envelope.ciphertext, 'dbstore ciphertext');
    const plaintext = openLegacyGcm(this.#key, iv, ciphertext, tag, 'a dbstore value');
    let text: string;
    try {
      text = utf8.decode(plaintext);
      JSON.parse(text);
    } catch {
      // No cause: JSON.parse's message quotes the decrypted text.
      throw new IntegrityError('a dbstore value did not decrypt to JSON text');
    }
    return text;
  }

  /** Encrypts JSON text into upstream's object, field for field (what dbstore's `put` wrote). */
  encrypt(jsonText: string): DbstoreEnvelope {
    if (typeof jsonText !== 'string' || !jsonText.isWellFormed()) {
      throw new ValidationError('a dbstore plaintext must be well-formed JSON text');
    }
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv, { authTagLength: TAG_BYTES });
    const ciphertext = Buffer.concat([cipher.update(jsonText, 'utf8'), cipher.final()]);
    return {
      ciphertext: ciphertext.toString('base64'),
      iv: iv.toString('base64'),
      authTag: cipher.getAuthTag().toString('base64'),
    };
  }
}
