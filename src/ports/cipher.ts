/**
 * Where a ciphertext belongs (table, column, row id). It is bound as associated data, so a value
 * copied to another row, column or table fails to decrypt instead of being accepted.
 */
export interface CipherContext {
  table: string;
  column: string;
  rowId: string;
}

/** Authenticated encryption of secrets at rest. Decrypt failures are IntegrityErrors, never garbage. */
export interface CipherPort {
  /** Encrypts with the active key; the result is a compact, versioned text envelope naming its key id. */
  encrypt(plaintext: string, context: CipherContext): string;
  decrypt(envelope: string, context: CipherContext): string;
  /** The key id an envelope names, or null when it is not in our format (legacy or plaintext). */
  keyIdOf(envelope: string): string | null;
  /** The id of the key new envelopes use. */
  readonly activeKeyId: string;
  /** Optional: a 32-byte subkey for another purpose (e.g. the cache MAC), derived from the active key. */
  deriveKey?(purpose: string): Buffer;
  /**
   * Optional keyed MAC (HMAC-SHA-256 under a subkey derived for `purpose`) with the active key or the
   * named one, for one-way digests of bearer codes (never reversible, even with the key).
   */
  mac?(purpose: string, data: string, keyId?: string): { keyId: string; mac: Buffer };
}

/** Where a bearer code is stored: as a keyed one-way digest bound to its row, never in clear. */
export interface CodeDigestPort {
  /** The stored form of `code` for the row in `context`. */
  seal(code: string, context: CipherContext): string;
  /** Whether `code` is the one sealed in `stored` (constant time); false for unsealed or foreign values. */
  matches(stored: string, code: string, context: CipherContext): boolean;
  /** Whether a stored value is a digest made by `seal` (any key), not a code still in clear. */
  isSealed(stored: string): boolean;
}

/** Password-grade hashing for low-entropy secrets (passwords, backup codes). */
export interface Hasher {
  hash(secret: string): Promise<string>;
  /** `valid`: the secret matches; `needsRehash`: it matched under weaker parameters than today's. */
  verify(hash: string, secret: string): Promise<{ valid: boolean; needsRehash: boolean }>;
}
