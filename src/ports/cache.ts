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
  /**
   * Atomic compare-and-set: when the key holds exactly `expected` (null = absent), stores `next` (null =
   * delete; `next === expected` writes nothing) and returns true; otherwise changes nothing and returns false.
   * A late command is still checked where the data lives, so it cannot overwrite a newer value.
   */
  compareAndSet(key: string, expected: string | null, next: string | null, ttlMs?: number): Promise<boolean>;
  close(): Promise<void>;
  /**
   * Optional: identifies the store's current lifetime (a Redis run id); undefined while unknown. A value
   * written under another lifetime may predate writes the store lost (a restart from a snapshot, a failover).
   */
  instanceId?(): string | undefined;
}

/**
 * Per-owner indexes of cache keys (a sorted set in Redis), so revoking an owner reaches every entry it has.
 * Implemented by stores shared between processes; an in-process store revokes by flushing instead.
 */
export interface CacheIndex {
  /**
   * Lists `member` under `indexKey` for `ttlMs` from now, dropping members already past theirs; false (nothing
   * added) when the index already holds `maxMembers` live members. The index outlives its members. "Now" is
   * the store's own clock (Redis TIME), so membership never depends on a client's clock.
   */
  indexAdd(indexKey: string, member: string, ttlMs: number, maxMembers: number): Promise<boolean>;
  /** Atomically returns every member and deletes the index. */
  indexTake(indexKey: string): Promise<string[]>;
}
