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

/** What a look-up found: the key's value (null: nothing) and the owner-revocation value, read in one step. */
export interface RecordLookup {
  value: string | null;
  /** The fill ticket: the value found, or the caller's reservation now set in its place; null: do not fill. */
  ticket: string | null;
  /** The revocations value at that moment (null: absent), when the look-up was asked for it. */
  revocations: string | null;
}

/** Where a fill lists itself, so an owner's revocation reaches it; refused if that owner was revoked since. */
export interface FillListing {
  indexKey: string;
  revocationsKey: string;
  /** The revocations value the look-up saw: a fill that finds another one gives up. */
  revocations: string | null;
  /** How long the key stays listed, from the store's own clock (never a client's). */
  listedTtlMs: number;
  maxMembers: number;
}

/** A bus message sent by the revocation itself, so no second command stands between the write and its message. */
export interface RevocationMessage {
  channel: string;
  payload: string;
}

/**
 * The record cache's operations, each one step where the data lives (a Lua script on Redis), so a miss is one
 * look-up and one fill whatever the guarantees cost: optional, a store without it is driven command by command.
 */
export interface RecordOperations {
  /** The key's value; when absent, `reservation` is set for `reservationTtlMs` and becomes the ticket. */
  lookup(
    key: string,
    reservation: string,
    reservationTtlMs: number,
    revocationsKey?: string,
  ): Promise<RecordLookup>;
  /** Stores `entry` only while the key still holds `ticket` (and, listed, the owner was not revoked since). */
  fill(key: string, ticket: string, entry: string, ttlMs: number, listing?: FillListing): Promise<boolean>;
  /** Deletes `keys` and sends `message` in one step; rejects when it cannot confirm both. */
  revoke(keys: readonly string[], message?: RevocationMessage): Promise<void>;
  /**
   * Sets `revocation` as the revocations value, takes the owner's index and deletes every key it lists, and
   * sends `message`, in one step; resolves to the keys it deleted.
   */
  revokeOwner(
    indexKey: string,
    revocationsKey: string,
    revocation: string,
    message?: RevocationMessage,
  ): Promise<string[]>;
}

/** A store that can run the record operations in one step each (a single Redis node; not a Cluster). */
export interface WithRecordOperations {
  /** The operations, or undefined when this store cannot run them in one step (then: command by command). */
  recordOperations(): RecordOperations | undefined;
}

/** The store's record operations, when it has them. */
export function recordOperationsOf(store: object): RecordOperations | undefined {
  const candidate = store as Partial<WithRecordOperations>;
  return typeof candidate.recordOperations === 'function' ? candidate.recordOperations() : undefined;
}
