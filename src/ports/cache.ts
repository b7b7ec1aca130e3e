/**
 * A small key-value cache with expiry. Keys and values are strings; callers encode records
 * themselves (versioned JSON). Every adapter (memory, Redis, Redis Cluster) passes one contract suite.
 */
export interface CacheStore {
  get(key: string): Promise<string | null>;
  /** Stores `value`; `ttlMs` > 0 expires it, absent or 0 keeps it until deleted. Value and TTL are set atomically. */
  set(key: string, value: string, ttlMs?: number): Promise<void>;
  /** Stores only when the key is absent (SET NX); returns whether it stored. */
  setIfAbsent(key: string, value: string, ttlMs?: number): Promise<boolean>;
  delete(...keys: string[]): Promise<void>;
  /** Atomic get-and-delete: of concurrent callers, exactly one receives the value. */
  take(key: string): Promise<string | null>;
  /** Deletes every key that starts with `prefix`; returns how many went. */
  deletePrefix(prefix: string): Promise<number>;
  /**
   * Atomic read-modify-write of one key: `update` sees the current value (or null) and returns the
   * new value (or null to delete). Retries on a concurrent change; returns what was stored.
   * With `ttlMs` > 0 the new value expires then; without it the key keeps its current expiry (none if new).
   */
  update(
    key: string,
    update: (current: string | null) => string | null,
    ttlMs?: number,
  ): Promise<string | null>;
  close(): Promise<void>;
}
