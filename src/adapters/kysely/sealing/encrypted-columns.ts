import { ConfigError, IntegrityError, ValidationError } from '../../../domain/errors.js';
import type { CipherContext, CipherPort } from '../../../ports/cipher.js';

/** A text column whose every non-null value is one CipherPort envelope, bound to its row's id. */
export interface EncryptedColumnSpec {
  readonly table: string;
  /** The primary-key column (text, or better-auth's uuid or serial): its value is the row id in the cipher context, and rotation pages by it. */
  readonly idColumn: string;
  readonly column: string;
  /**
   * Values that are not envelopes, where clear values are legitimate (account tokens written before sealing
   * was turned on): 'adopt' seals them as they are, 'skip' counts them in `clear` and leaves them. Unset,
   * they are counted as failed (authkeep's own columns are never in clear).
   */
  readonly clearValues?: 'adopt' | 'skip';
  /**
   * Envelopes bound to other columns than the id (Auth.js accounts: provider and provider account id):
   * those columns are read with each row, and `rowId` makes the context's row id of their values.
   */
  readonly boundTo?: {
    readonly columns: readonly string[];
    rowId(values: readonly unknown[]): string;
  };
}

/**
 * Every encrypted column authkeep writes. Key rotation re-encrypts exactly these, so a column is
 * encrypted only through `columnCipher`, which refuses one missing here. Later issues append entries.
 * Secrets nested in JSON (SSO provider client secrets, signing keys) go in their own encrypted text
 * column holding the encrypted JSON of the secret fields (`ColumnCipher.writeJson`), and are listed here.
 */
export const ENCRYPTED_COLUMNS = [
  { table: 'twofa_devices', idColumn: 'id', column: 'secret' },
  { table: 'sso_sessions', idColumn: 'id', column: 'session_token' },
  // Issue 8: mitthooks ExtensionStorage secrets (default table name). Rotating with a LegacyReadingCipher
  // that holds the mitthooks password and salt also moves mitthooks-drizzle's own text into our envelope.
  { table: 'extension_instance', idColumn: 'id', column: 'secret' },
  // Issue 5: provider secrets (client_secret, signing_key) as one JSON group; two-factor sessions'
  // bearer session id and one-time code; whole SAML tenant configs (any field may be a private key).
  { table: 'sso_providers', idColumn: 'id', column: 'secrets' },
  { table: 'twofa_sessions', idColumn: 'id', column: 'session_id' },
  { table: 'twofa_sessions', idColumn: 'id', column: 'verification_code' },
  { table: 'saml_tenant_configs', idColumn: 'tenant_id', column: 'config' },
  // Issue 12: callers keep TOTP secrets (metadata.tempSecret) and SMS codes in a device's metadata,
  // and SMSDevice.verificationCode on the record itself.
  { table: 'twofa_devices', idColumn: 'id', column: 'sealed_metadata' },
  { table: 'twofa_devices', idColumn: 'id', column: 'verification_code' },
] as const satisfies readonly EncryptedColumnSpec[];

export type RegisteredTable = (typeof ENCRYPTED_COLUMNS)[number]['table'];
export type RegisteredColumn<T extends RegisteredTable> = Extract<
  (typeof ENCRYPTED_COLUMNS)[number],
  { table: T }
>['column'];

/** Written value for a plaintext: strings become envelopes, null and undefined pass through unchanged. */
type Written<V> = V extends string ? string : V;

/** Encrypt-on-write, decrypt-on-read for one registered column; the row id is the associated data. */
export class ColumnCipher {
  constructor(
    private readonly cipher: CipherPort,
    readonly spec: EncryptedColumnSpec,
  ) {}

  private context(rowId: string): CipherContext {
    if (typeof rowId !== 'string' || rowId.length === 0) {
      throw new ValidationError(`a row id is required to encrypt ${this.spec.table}.${this.spec.column}`);
    }
    return { table: this.spec.table, column: this.spec.column, rowId };
  }

  /** The stored form of `value` for row `rowId` (the id must be final: it is bound into the envelope). */
  write<V extends string | null | undefined>(rowId: string, value: V): Written<V> {
    if (value === null || value === undefined) return value as Written<V>;
    return this.cipher.encrypt(value, this.context(rowId)) as Written<V>;
  }

  /** The plaintext of a stored value; null stays null, anything else that is not an envelope is an IntegrityError. */
  read(rowId: string, stored: unknown): string | null {
    if (stored === null || stored === undefined) return null;
    if (typeof stored !== 'string') {
      throw new IntegrityError(`stored ${this.spec.table}.${this.spec.column} value is not text`);
    }
    return this.cipher.decrypt(stored, this.context(rowId));
  }

  /** Encrypts the JSON text of `value` (for groups of secrets kept together, e.g. an SSO provider's). */
  writeJson(rowId: string, value: unknown): string | null {
    return value === null || value === undefined ? null : this.write(rowId, JSON.stringify(value));
  }

  readJson<T>(rowId: string, stored: unknown): T | null {
    const text = this.read(rowId, stored);
    if (text === null) return null;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new IntegrityError(`decrypted ${this.spec.table}.${this.spec.column} value is not JSON`);
    }
  }
}

/** The registry entry for a table and column, or a ConfigError when it is not registered. */
export function encryptedColumnSpec(
  table: string,
  column: string,
  registry: readonly EncryptedColumnSpec[] = ENCRYPTED_COLUMNS,
): EncryptedColumnSpec {
  const spec = registry.find((entry) => entry.table === table && entry.column === column);
  if (!spec) {
    throw new ConfigError(
      `${table}.${column} is not in ENCRYPTED_COLUMNS; register it so key rotation re-encrypts it`,
    );
  }
  return spec;
}

/** The codec for a registered column, e.g. `columnCipher(cipher, 'twofa_devices', 'secret')`. */
export function columnCipher<T extends RegisteredTable>(
  cipher: CipherPort,
  table: T,
  column: RegisteredColumn<T>,
): ColumnCipher {
  return new ColumnCipher(cipher, encryptedColumnSpec(table, column));
}
