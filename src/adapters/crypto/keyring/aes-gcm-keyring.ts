import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  createSecretKey,
  hkdfSync,
  type KeyObject,
} from 'node:crypto';
import { ConfigError, IntegrityError, ValidationError } from '../../../domain/errors.js';
import type { CipherContext, CipherPort } from '../../../ports/cipher.js';
import {
  assertContext,
  associatedData,
  envelopeKeyId,
  formatEnvelope,
  IV_BYTES,
  parseEnvelope,
  TAG_BYTES,
} from './envelope.js';
import {
  assertKeyId,
  ENCRYPTION_KEYS_ENV,
  keysFromEnv,
  parseKeyList,
  validateKeyring,
  type KeyInput,
} from './key-config.js';
import { RandomPool } from '../random/random-pool.js';

/** IVs for every keyring in the process come from one bulk-refilled CSPRNG buffer. */
const ivs = new RandomPool();

/** Plaintexts above this are refused: secrets at rest are small, and a bound keeps memory bounded. */
export const MAX_PLAINTEXT_BYTES = 16 * 1024 * 1024;

export interface AesGcmKeyringOptions {
  /**
   * The keys, as a list or as `id:base64,id:base64` text; the first is active unless `activeKeyId` says
   * otherwise. `undefined` is accepted so `process.env.AUTHKEEP_ENCRYPTION_KEYS` type-checks; at run time
   * it is a config error that names the variable.
   */
  keys: readonly KeyInput[] | string | undefined;
  activeKeyId?: string;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * AES-256-GCM over a keyring: encrypts with the active key under a fresh 96-bit IV, decrypts with
 * whichever key the envelope names, and binds the row's identity as associated data (see envelope.ts).
 * Keys are held as KeyObjects, which print and serialise without their bytes.
 */
export class AesGcmKeyring implements CipherPort {
  readonly activeKeyId: string;
  readonly keyIds: readonly string[];
  readonly #keys: ReadonlyMap<string, KeyObject>;
  readonly #macKeys = new Map<string, KeyObject>();

  constructor(options: AesGcmKeyringOptions) {
    if (!options || typeof options !== 'object') throw new ConfigError('keyring options are required');
    if (options.keys === undefined || (typeof options.keys === 'string' && options.keys.trim() === '')) {
      throw new ConfigError(
        `no encryption keys: set ${ENCRYPTION_KEYS_ENV} (id:base64,…; "authkeep keys generate" prints one) and pass it as keys, or use AesGcmKeyring.fromEnv()`,
      );
    }
    const keys =
      typeof options.keys === 'string' ? parseKeyList(options.keys, 'keys') : validateKeyring(options.keys);
    this.#keys = new Map(keys.map(({ id, key }) => [id, createSecretKey(key)]));
    keys.forEach(({ key }) => key.fill(0));
    this.keyIds = keys.map(({ id }) => id);
    const active = options.activeKeyId ?? this.keyIds[0];
    if (active === undefined || !this.#keys.has(assertKeyId(active, 'activeKeyId'))) {
      throw new ConfigError(`active key "${active}" is not in the keyring`);
    }
    this.activeKeyId = active;
  }

  /** The keyring from `AUTHKEEP_ENCRYPTION_KEYS` (`k2:base64,k1:base64`, the first key active). */
  static fromEnv(env: Record<string, string | undefined> = process.env): AesGcmKeyring {
    return new AesGcmKeyring({ keys: keysFromEnv(env) });
  }

  encrypt(plaintext: string, context: CipherContext): string {
    if (typeof plaintext !== 'string') throw new ValidationError('plaintext must be a string');
    // Lone surrogates would silently become U+FFFD: refuse rather than store something else.
    if (!plaintext.isWellFormed()) throw new ValidationError('plaintext is not well-formed Unicode');
    assertContext(context);
    const data = Buffer.from(plaintext, 'utf8');
    if (data.length > MAX_PLAINTEXT_BYTES) {
      throw new ValidationError(`plaintext exceeds ${MAX_PLAINTEXT_BYTES} bytes`);
    }
    const keyId = this.activeKeyId;
    const iv = ivs.take(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key(keyId), iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(associatedData(keyId, context));
    const ciphertext = Buffer.concat([cipher.update(data), cipher.final()]);
    return formatEnvelope({ keyId, iv, ciphertext, tag: cipher.getAuthTag() });
  }

  decrypt(envelope: string, context: CipherContext): string {
    assertContext(context);
    const parsed = parseEnvelope(envelope);
    const key = this.#keys.get(parsed.keyId);
    const details = { table: context.table, column: context.column, keyId: parsed.keyId };
    if (!key) {
      throw new IntegrityError(`encrypted value names key "${parsed.keyId}", which is not in the keyring`, {
        details,
      });
    }
    let data: Buffer;
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, parsed.iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(associatedData(parsed.keyId, context));
      decipher.setAuthTag(parsed.tag);
      data = Buffer.concat([decipher.update(parsed.ciphertext), decipher.final()]);
    } catch {
      // No cause attached: nothing from the failed decryption is worth carrying, nor safe to.
      throw new IntegrityError(
        'encrypted value failed authentication (wrong key, tampered data, or moved from another row)',
        { details },
      );
    }
    try {
      return utf8.decode(data);
    } catch {
      throw new IntegrityError('decrypted value is not valid UTF-8', { details });
    }
  }

  keyIdOf(envelope: string): string | null {
    return envelopeKeyId(envelope);
  }

  /** A 32-byte subkey for another purpose (the cache MAC), by HKDF from the active key, which never leaves. */
  deriveKey(purpose: string): Buffer {
    return Buffer.from(hkdfSync('sha256', this.#key(this.activeKeyId), 'authkeep', purpose, 32));
  }

  /** HMAC-SHA-256 of `data` under a subkey of `keyId` (default: the active key) derived for `purpose`. */
  mac(purpose: string, data: string, keyId: string = this.activeKeyId): { keyId: string; mac: Buffer } {
    if (typeof data !== 'string' || !data.isWellFormed()) {
      throw new ValidationError('MAC input must be well-formed text');
    }
    const cacheKey = `${keyId}\u0000${purpose}`;
    let subkey = this.#macKeys.get(cacheKey);
    if (!subkey) {
      // HKDF keeps MAC keys apart from the encryption keys, from deriveKey's, and from other purposes.
      const derived = hkdfSync('sha256', this.#key(keyId), 'authkeep-mac', purpose, 32);
      subkey = createSecretKey(Buffer.from(derived));
      this.#macKeys.set(cacheKey, subkey);
    }
    return { keyId, mac: createHmac('sha256', subkey).update(data, 'utf8').digest() };
  }

  /** Whether the keyring holds a key with this id. */
  hasKey(keyId: string): boolean {
    return this.#keys.has(keyId);
  }

  #key(keyId: string): KeyObject {
    const key = this.#keys.get(keyId);
    if (!key) throw new ConfigError(`key "${keyId}" is not in the keyring`);
    return key;
  }

  toJSON(): Record<string, unknown> {
    return { activeKeyId: this.activeKeyId, keyIds: this.keyIds };
  }
}
