import { createCipheriv, randomBytes, scrypt, type BinaryLike } from 'node:crypto';
import { ConfigError, IntegrityError, ValidationError } from '../../../domain/errors.js';
import { openLegacyGcm } from './legacy-gcm.js';
import { decodeStrictBase64 } from './strict-base64.js';

/** mitthooks-drizzle calls `scryptSync(password, salt, 32)` with no options, so Node's defaults apply. */
export const MITTHOOKS_SCRYPT = { N: 16384, r: 8, p: 1, keyLength: 32, maxmem: 32 * 1024 * 1024 } as const;

const IV_BYTES = 12;
const TAG_BYTES = 16;
const PIECE = /^[A-Za-z0-9+/=_-]*$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

function scryptAsync(password: BinaryLike, salt: BinaryLike): Promise<Buffer> {
  const { N, r, p, keyLength, maxmem } = MITTHOOKS_SCRYPT;
  return new Promise((resolve, reject) =>
    scrypt(password, salt, keyLength, { N, r, p, maxmem }, (error, key) =>
      error ? reject(error) : resolve(key),
    ),
  );
}

/**
 * mitthooks-drizzle's key: scrypt over the UTF-8 bytes of the master password and the salt. The
 * README's base64-looking values are used as text, never decoded. Runs on the libuv pool, not the loop.
 */
export async function deriveMitthooksKey(masterPassword: string, salt: string): Promise<Buffer> {
  // Upstream silently accepted empty strings (and crashed on undefined); both are configuration mistakes.
  if (typeof masterPassword !== 'string' || masterPassword.length === 0) {
    throw new ConfigError('the mitthooks master password must be a non-empty string');
  }
  if (typeof salt !== 'string' || salt.length === 0) {
    throw new ConfigError('the mitthooks salt must be a non-empty string');
  }
  return scryptAsync(Buffer.from(masterPassword, 'utf8'), Buffer.from(salt, 'utf8'));
}

/**
 * Reads (and, where a store is asked to, writes) mitthooks-drizzle's `b64(iv):b64(ct):b64(tag)` text.
 * Stricter than upstream: exactly three canonical base64 pieces, a 12-byte IV and a full 16-byte tag.
 * The format has no associated data, so a value is not bound to its row.
 */
export class MitthooksCipher {
  readonly #key: Buffer;

  private constructor(key: Uint8Array) {
    if (key.length !== MITTHOOKS_SCRYPT.keyLength) {
      throw new ConfigError('a mitthooks key must be 32 bytes');
    }
    this.#key = Buffer.from(key);
  }

  /** The cipher for an already derived 32-byte key. */
  static fromKey(key: Uint8Array): MitthooksCipher {
    return new MitthooksCipher(key);
  }

  /** Derives the key as mitthooks-drizzle does (scrypt N=16384, r=8, p=1) and builds the cipher. */
  static async fromPassword(masterPassword: string, salt: string): Promise<MitthooksCipher> {
    return new MitthooksCipher(await deriveMitthooksKey(masterPassword, salt));
  }

  /**
   * Whether a stored text has the outline of this format (base64 characters and colons only, with a
   * colon). Such a value is either decrypted or rejected as tampered; never taken as plaintext.
   */
  static recognises(stored: string): boolean {
    if (!stored.includes(':')) return false;
    return stored.split(':').every((piece) => PIECE.test(piece));
  }

  decrypt(stored: string): string {
    if (typeof stored !== 'string') throw new IntegrityError('a mitthooks secret must be text');
    const pieces = stored.split(':');
    if (pieces.length !== 3) {
      throw new IntegrityError('a mitthooks secret must have exactly three colon-separated parts');
    }
    const [ivText, ciphertextText, tagText] = pieces as [string, string, string];
    const iv = decodeStrictBase64(ivText, 'mitthooks IV');
    const ciphertext = decodeStrictBase64(ciphertextText, 'mitthooks ciphertext');
    const tag = decodeStrictBase64(tagText, 'mitthooks auth tag');
    const plaintext = openLegacyGcm(this.#key, iv, ciphertext, tag, 'a mitthooks secret');
    try {
      return utf8.decode(plaintext);
    } catch (error) {
      throw new IntegrityError('a mitthooks secret is not valid UTF-8', { cause: error });
    }
  }

  /** Writes the upstream text byte-for-byte in its layout; an empty secret gives `iv::tag`. */
  encrypt(plaintext: string): string {
    // A lone surrogate would be replaced by U+FFFD on the way to UTF-8: refuse rather than alter it.
    if (typeof plaintext !== 'string' || !plaintext.isWellFormed()) {
      throw new ValidationError('a mitthooks secret must be a well-formed string');
    }
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv, { authTagLength: TAG_BYTES });
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return `${iv.toString('base64')}:${ciphertext.toString('base64')}:${tag.toString('base64')}`;
  }
}
