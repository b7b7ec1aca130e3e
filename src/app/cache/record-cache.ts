import type { CacheStore } from '../../ports/cache.js';
import type { Clock } from '../../ports/system.js';
import {
  NEGATIVE_ENTRY,
  REVOKED_INDEX,
  TOMBSTONE_ENTRY,
  cacheKeys,
  decodeEntry,
  decodeIndex,
  encodeIndex,
  encodeRecord,
  type RecordCodec,
} from './cache-codec.js';

export interface RecordCacheSettings {
  /** Longest a record stays cached; never past its own expiry either (default 5 min). */
  maxTtlMs?: number;
  /** How long "no such record" is cached (default 2 s): short, so a miss never hides a new row for long. */
  negativeTtlMs?: number;
  /**
   * A database read older than this is not cached, as a write may have slipped in after it (default 1 s).
   * Tombstones and revocation markers live twice as long, so they outlast any fill still allowed.
   */
  fillWindowMs?: number;
  /** Most entries one owner's index holds; past it that owner's records are simply not cached (default 1000). */
  maxIndexEntries?: number;
}

const EXPIRY_MARGIN_MS = 1_000;

/** What the cache needs to know about a record it fills: who owns it and when it expires. */
export interface RecordFacts {
  owner: string;
  expiresAt?: Date | undefined;
}

/**
 * Read-through caching of records over a CacheStore, safe against the usual races:
 * - every write leaves a short-lived tombstone, and fills use setIfAbsent, so a reader holding an older row
 *   cannot put it back after the write;
 * - every cached record is listed in its owner's index, so revoking an owner reaches all its entries; the
 *   revocation leaves a marker that makes late fills for that owner give up.
 */
export class RecordCache {
  private readonly maxTtlMs: number;
  private readonly negativeTtlMs: number;
  private readonly fillWindowMs: number;
  private readonly maxIndexEntries: number;

  constructor(
    private readonly store: CacheStore,
    private readonly clock: Clock,
    settings: RecordCacheSettings = {},
  ) {
    this.maxTtlMs = settings.maxTtlMs ?? 300_000;
    this.negativeTtlMs = settings.negativeTtlMs ?? 2_000;
    this.fillWindowMs = settings.fillWindowMs ?? 1_000;
    this.maxIndexEntries = settings.maxIndexEntries ?? 1_000;
  }

  async read<T>(
    key: string,
    codec: RecordCodec<T>,
    load: () => Promise<T | null>,
    facts: (record: T) => RecordFacts,
  ): Promise<T | null> {
    const raw = await this.store.get(key);
    if (raw !== null) {
      const entry = decodeEntry(codec, raw);
      if (entry.kind === 'none') return null;
      if (entry.kind === 'record' && !this.expired(facts(entry.record).expiresAt)) return entry.record;
      // A tombstone or an entry we cannot read: the database answers, and the entry stays as it is.
      if (entry.kind !== 'record') return load();
    }
    const started = performance.now();
    const record = await load();
    await this.fill(key, record, started, facts);
    return record;
  }

  /**
   * Call after inserting a new record: clears a negative entry for its key. A plain delete, not a tombstone,
   * so the new record is cached on its first read; a racing negative fill lives only negativeTtlMs.
   */
  async forget(key: string): Promise<void> {
    await this.store.delete(key);
  }

  /** Call after every update or delete of the records behind `keys` (whether or not the write succeeded). */
  async invalidate(...keys: string[]): Promise<void> {
    await Promise.all(keys.map((key) => this.store.set(key, TOMBSTONE_ENTRY, this.fillWindowMs * 2)));
  }

  /** Drops every cached record of an owner at once (a deleted user's sessions and API keys). */
  async revokeOwner(ownerId: string): Promise<void> {
    let seen: ReturnType<typeof decodeIndex> | undefined;
    await this.store.update(
      cacheKeys.owner(ownerId),
      (current) => {
        seen = decodeIndex(current);
        return REVOKED_INDEX;
      },
      this.fillWindowMs * 2,
    );
    if (seen?.kind === 'list') return this.invalidate(...seen.entries.map(([key]) => key));
    if (seen?.kind === 'revoked') return;
    // The index could not be read (cache down, or a format we do not know): flush every record entry.
    // A resilient store remembers the flush and runs it before serving reads again.
    await Promise.all(cacheKeys.recordPrefixes.map((prefix) => this.store.deletePrefix(prefix)));
  }

  private async fill<T>(
    key: string,
    record: T | null,
    started: number,
    facts: (record: T) => RecordFacts,
  ): Promise<void> {
    if (!this.fresh(started)) return;
    if (record === null) {
      await this.store.setIfAbsent(key, NEGATIVE_ENTRY, this.negativeTtlMs);
      return;
    }
    const { owner, expiresAt } = facts(record);
    if (this.ttlFor(expiresAt) <= 0) return;
    if (!(await this.register(owner, key, this.clock.now().getTime() + this.ttlFor(expiresAt)))) return;
    if (!this.fresh(started)) return;
    // TTL computed last, so the entry never outlives the record by the time the index update took.
    const ttl = this.ttlFor(expiresAt);
    if (ttl > 0) await this.store.setIfAbsent(key, encodeRecord(record), ttl);
  }

  /** Lists `key` in its owner's index; false when the owner was just revoked or the index is full. */
  private async register(owner: string, key: string, expiresAt: number): Promise<boolean> {
    let registered = false;
    await this.store.update(
      cacheKeys.owner(owner),
      (current) => {
        registered = false;
        const index = decodeIndex(current);
        if (index.kind !== 'list') return current;
        const now = this.clock.now().getTime();
        const entries = index.entries.filter(([listed, until]) => until > now && listed !== key);
        if (entries.length >= this.maxIndexEntries) return current;
        entries.push([key, expiresAt]);
        registered = true;
        return encodeIndex(entries);
      },
      // The index must outlive every entry it lists.
      this.maxTtlMs + this.fillWindowMs * 2,
    );
    return registered;
  }

  /** Ends a second before the record does, so the command's own latency cannot carry the entry past it. */
  private ttlFor(expiresAt: Date | undefined): number {
    if (!expiresAt) return this.maxTtlMs;
    return Math.min(this.maxTtlMs, expiresAt.getTime() - this.clock.now().getTime() - EXPIRY_MARGIN_MS);
  }

  private expired(expiresAt: Date | undefined): boolean {
    return expiresAt !== undefined && expiresAt.getTime() <= this.clock.now().getTime();
  }

  private fresh(started: number): boolean {
    return performance.now() - started <= this.fillWindowMs;
  }
}
