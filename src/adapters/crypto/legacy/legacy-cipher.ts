import { IntegrityError } from '../../../domain/errors.js';
import type { CipherContext, CipherPort } from '../../../ports/cipher.js';
import { ENVELOPE_PREFIX } from '../keyring/envelope.js';
import { classifyDbstoreValue, type DbstoreCipher } from './legacy-dbstore.js';
import { MitthooksCipher } from './legacy-mitthooks.js';

/** Which format a stored value is in. */
export type StoredFormat = 'authkeep' | 'mitthooks' | 'dbstore' | 'plaintext';

export interface LegacyReadingCipherOptions {
  /** Our keyring: decrypts our envelopes and writes every new value. */
  primary: CipherPort;
  /** Reader for mitthooks-drizzle's `iv:ct:tag` text. */
  mitthooks?: MitthooksCipher;
  /** Reader for dbstore-manager's `{ciphertext, iv, authTag}` objects, given as JSON text. */
  dbstore?: DbstoreCipher;
  /**
   * A value in no encrypted format: 'allow' returns it as it is (dbstore kept such rows), 'refuse'
   * (the default) makes it an IntegrityError, for use once every row has been re-encrypted.
   */
  plaintext?: 'allow' | 'refuse';
}

function parseJsonObject(text: string): unknown {
  if (!text.trimStart().startsWith('{')) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * A CipherPort that reads our envelope and the legacy formats (and legacy plaintext if allowed) but
 * always writes our envelope. Legacy formats carry no associated data, so the context binds only ours;
 * `keyIdOf` is null for legacy values, so rotation re-encrypts them into our envelope.
 */
export class LegacyReadingCipher implements CipherPort {
  private readonly primary: CipherPort;
  private readonly mitthooks: MitthooksCipher | undefined;
  private readonly dbstore: DbstoreCipher | undefined;
  private readonly plaintext: 'allow' | 'refuse';

  /** The primary's keyed MAC, when it has one (digests are always ours: there is no legacy form). */
  readonly mac?: CipherPort['mac'];

  constructor(options: LegacyReadingCipherOptions) {
    this.primary = options.primary;
    const { primary } = options;
    if (typeof primary.mac === 'function') {
      this.mac = (purpose, data, keyId) =>
        (primary.mac as NonNullable<CipherPort['mac']>)(purpose, data, keyId);
    }
    this.mitthooks = options.mitthooks;
    this.dbstore = options.dbstore;
    this.plaintext = options.plaintext ?? 'refuse';
  }

  get activeKeyId(): string {
    return this.primary.activeKeyId;
  }

  keyIdOf(stored: string): string | null {
    return this.primary.keyIdOf(stored);
  }

  encrypt(plaintext: string, context: CipherContext): string {
    return this.primary.encrypt(plaintext, context);
  }

  /** Tells the formats apart without decrypting; a tampered legacy value keeps its format's name. */
  formatOf(stored: string): StoredFormat {
    // Our prefix with a mangled key id is still ours: the keyring rejects it, it is never plaintext.
    if (this.primary.keyIdOf(stored) !== null || stored.startsWith(`${ENVELOPE_PREFIX}.`)) return 'authkeep';
    if (MitthooksCipher.recognises(stored)) return 'mitthooks';
    const parsed = parseJsonObject(stored);
    if (parsed !== undefined && classifyDbstoreValue(parsed) !== 'plain') return 'dbstore';
    return 'plaintext';
  }

  decrypt(stored: string, context: CipherContext): string {
    if (typeof stored !== 'string') throw new IntegrityError('an encrypted value must be text');
    switch (this.formatOf(stored)) {
      case 'authkeep':
        return this.primary.decrypt(stored, context);
      case 'mitthooks':
        if (!this.mitthooks) throw missingReader('mitthooks', context);
        return this.mitthooks.decrypt(stored);
      case 'dbstore': {
        const parsed = parseJsonObject(stored);
        // Part of an envelope is tampering whether or not a dbstore key is configured.
        if (classifyDbstoreValue(parsed) === 'partial') {
          throw new IntegrityError('a stored value has only part of a dbstore encryption envelope');
        }
        if (!this.dbstore) throw missingReader('dbstore', context);
        return this.dbstore.decrypt(parsed);
      }
      case 'plaintext':
        if (this.plaintext === 'allow') return stored;
        throw new IntegrityError('a stored value is not encrypted and plaintext is refused', {
          details: { table: context.table, column: context.column },
        });
    }
  }
}

/** An IntegrityError like a wrong key: callers that skip undecryptable rows (rotation) skip this one too. */
function missingReader(format: string, context: CipherContext): IntegrityError {
  return new IntegrityError(`a stored value is in the ${format} format but no ${format} key is configured`, {
    details: { table: context.table, column: context.column, format, reason: 'no_legacy_key' },
  });
}
