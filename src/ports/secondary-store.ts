/**
 * A key-value store shaped by a framework's secondary storage (better-auth's `SecondaryStorage`): every write
 * may name the version its writer last saw of the key, and a delete since then refuses it where the data lives,
 * so a value computed before a delete can never land after it. Versions are the store's own (increasing per
 * key, from the store's clock); callers only hand them back.
 */
export interface VersionedRead {
  /** The stored text, or null (absent, expired or deleted). */
  value: string | null;
  /**
   * The key's version when read: a deleted key keeps its tombstone's version for the tombstone's lifetime; a key
   * with neither value nor tombstone answers 0 (any delete after the read leaves a tombstone above it).
   */
  version: number;
}

export interface SecondaryStore {
  read(key: string): Promise<VersionedRead>;
  /**
   * Stores `value` (ttlMs 0: no expiry) and returns its version, unless `seenVersion` is given and the key was
   * deleted or taken after that version: then nothing is stored and the answer is null.
   */
  write(key: string, value: string, ttlMs: number, seenVersion?: number): Promise<number | null>;
  /** Removes the value and the key's counter, leaving a tombstone; returns the tombstone's version. */
  delete(key: string): Promise<number>;
  /** Atomic get-and-delete (a tombstone stays): of concurrent callers, exactly one receives the value. */
  take(key: string): Promise<VersionedRead>;
  /**
   * Atomically adds one to the counter of `key` and returns it; a new counter starts at 1 and expires `ttlMs`
   * later, and later increments never move that expiry. Counters are a separate space from values.
   */
  increment(key: string, ttlMs: number): Promise<number>;
  close(): Promise<void>;
}
