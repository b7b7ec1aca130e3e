import {
  recordOperationsOf,
  type CacheIndex,
  type CacheStore,
  type RecordOperations,
  type RevocationMessage,
} from '../../ports/cache.js';
import type { Clock, Logger } from '../../ports/system.js';
import { cacheKeys, type EntryCodec, type RecordCodec } from './cache-codec.js';
import { VerifiedEntries } from './verified-entries.js';
import { RecentHits } from './recent-hits.js';

export interface RecordCacheSettings {
  /** Longest a record stays cached; never past its own expiry either (default 5 min). */
  maxTtlMs?: number;
  /** How long "no such record" is cached (default 2 s): short, so a miss never hides a new row for long. */
  negativeTtlMs?: number;
  /**
   * Lifetime of a fill reservation (default 30 s): a fill that arrives later finds it gone and is refused.
   * Only a bound on leftovers; correctness never depends on it.
   */
  reservationTtlMs?: number;
  /** Most live entries one owner's index holds; past it that owner's records are simply not cached (default 1000). */
  maxIndexEntries?: number;
  /**
   * How many recently verified shared-tier entries this process remembers, so a repeat hit on unchanged bytes
   * skips the HMAC and the parse (default 10 000; 0 turns it off). See VerifiedEntries.
   */
  verifiedEntries?: number;
  /**
   * The longest a revoking call (the database write, the cache invalidation and the bus's confirmation) may
   * take; past it the call fails with a retryable UnavailableError, the write possibly standing (default 5 s).
   */
  revokeTimeoutMs?: number;
  /**
   * Whether reads skip a shared cache that is not hitting (default true): once under 2 % of the recent reads
   * hit, 31 of every 32 go straight to the database (always correct: it is the truth) and the 32nd still
   * looks up and fills (while none of the last 8 such probes hit, at most one per 20 ms), so the cache is
   * used again as soon as those start hitting (from 5 %). A miss costs two round trips and more CPU than the
   * read it precedes; false keeps every read on the cache.
   */
  adaptiveBypass?: boolean;
}

const EXPIRY_MARGIN_MS = 1_000;
/**
 * Above this recent hit rate a read tries a plain GET before the look-up script: a hit then costs what a GET
 * does (the script costs more inside Redis and to send), a miss one more round trip (GET, look-up, fill).
 */
const GET_FIRST_ABOVE = 0.75;

/** The settings with their defaults, shared by both tiers. */
export function recordCacheDefaults(
  settings: RecordCacheSettings,
): Required<Pick<RecordCacheSettings, 'maxTtlMs' | 'negativeTtlMs' | 'reservationTtlMs'>> {
  return {
    maxTtlMs: settings.maxTtlMs ?? 300_000,
    negativeTtlMs: settings.negativeTtlMs ?? 2_000,
    reservationTtlMs: settings.reservationTtlMs ?? 30_000,
  };
}

/** How long a record may be cached: never past maxTtlMs, and ending a second before the record does. */
export function recordTtl(maxTtlMs: number, expiresAt: Date | undefined, now: number): number {
  if (!expiresAt) return maxTtlMs;
  return Math.min(maxTtlMs, expiresAt.getTime() - now - EXPIRY_MARGIN_MS);
}

/** What the cache needs to know about a record it fills: who owns it and when it expires. */
export interface RecordFacts {
  owner: string;
  expiresAt?: Date | undefined;
}

export interface RecordCacheParts {
  store: CacheStore;
  codec: EntryCodec;
  clock: Clock;
  logger: Logger;
  /** Per-owner indexes, for a store shared between processes; without them revoking an owner flushes everything. */
  index?: CacheIndex | undefined;
}

/**
 * Read-through caching of records, ordered where the data lives rather than by client timing:
 * - a miss first reserves the key (a unique value); the fill is a compare-and-set against that reservation,
 *   and every invalidation deletes the key, so a fill computed before a write can never land after it;
 * - every entry is authenticated and bound to its key (EntryCodec); anything else is a miss;
 * - with indexes, each cached record is listed under its owner, and revoking an owner changes a revocation
 *   value that fills re-check after listing themselves, so an owner's revocation reaches every fill.
 */
export class RecordCache {
  private readonly store: CacheStore;
  private readonly codec: EntryCodec;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly index: CacheIndex | undefined;
  private readonly maxTtlMs: number;
  private readonly negativeTtlMs: number;
  private readonly reservationTtlMs: number;
  private readonly maxIndexEntries: number;
  private readonly verified: VerifiedEntries;
  private forged = 0;
  private readonly hits: RecentHits;
  /** One step per operation where the store can (a single Redis node); else command by command. */
  private readonly operations: RecordOperations | undefined;
  readonly revokeTimeoutMs: number;

  constructor(parts: RecordCacheParts, settings: RecordCacheSettings = {}) {
    this.store = parts.store;
    this.codec = parts.codec;
    this.clock = parts.clock;
    this.logger = parts.logger;
    this.index = parts.index;
    ({
      maxTtlMs: this.maxTtlMs,
      negativeTtlMs: this.negativeTtlMs,
      reservationTtlMs: this.reservationTtlMs,
    } = recordCacheDefaults(settings));
    this.maxIndexEntries = settings.maxIndexEntries ?? 1_000;
    this.verified = new VerifiedEntries(settings.verifiedEntries ?? 10_000);
    this.revokeTimeoutMs = settings.revokeTimeoutMs ?? 5_000;
    this.operations = recordOperationsOf(this.store);
    this.hits = new RecentHits(settings.adaptiveBypass ?? true);
  }

  /** Entries refused because their MAC did not verify (forged, tampered, moved, or another secret). */
  stats(): { forgedEntries: number; bypassing: boolean; bypassedReads: number } {
    return { forgedEntries: this.forged, ...this.hits.stats() };
  }

  async read<T>(
    key: string,
    codec: RecordCodec<T>,
    load: () => Promise<T | null>,
    facts: (record: T) => RecordFacts,
  ): Promise<T | null> {
    if (this.hits.skip()) return load();
    if (this.operations) return this.readInOneStep(this.operations, key, codec, load, facts);
    const raw = await this.store.get(key);
    const hit = this.hit(key, raw, codec, facts);
    if (hit !== undefined) {
      this.hits.observe(true);
      return hit;
    }
    // Whatever the key holds now is the ticket: any invalidation from here on changes it.
    const [ticket, revocations] = await Promise.all([
      raw ?? this.reserve(key),
      this.index ? this.store.get(cacheKeys.revocations) : null,
    ]);
    // No ticket: the cache could not take part (unreachable, in an outage); that says nothing about reuse.
    if (ticket !== null) this.hits.observe(false);
    const startedUnder = this.instance();
    const record = await load();
    // A ticket from another server lifetime (a failover meanwhile) may predate a revocation it lost.
    if (ticket !== null && startedUnder !== undefined && this.instance() === startedUnder) {
      await this.fill(key, ticket, revocations, record, facts);
    }
    return record;
  }

  /**
   * The same read in two steps where the data lives: one look-up (the value, or a reservation set in its place,
   * and the revocations value) and, after a miss's database read, one fill that lists the key under its owner
   * and lands only if neither the key nor the owner was revoked since the look-up.
   */
  private async readInOneStep<T>(
    operations: RecordOperations,
    key: string,
    codec: RecordCodec<T>,
    load: () => Promise<T | null>,
    facts: (record: T) => RecordFacts,
  ): Promise<T | null> {
    // Mostly hits: a plain GET first; a miss then takes the look-up below (it reserves; the GET did not).
    const getFirst = this.hits.rate >= GET_FIRST_ABOVE;
    if (getFirst) {
      const hit = this.hit(key, await this.store.get(key), codec, facts);
      if (hit !== undefined) {
        this.hits.observe(true);
        return hit;
      }
    }
    const reservation = this.codec.reservation();
    const found = await operations.lookup(
      key,
      reservation,
      this.reservationTtlMs,
      this.index ? cacheKeys.revocations : undefined,
    );
    const hit = this.hit(key, found.value, codec, facts);
    // No ticket: the cache could not take part (unreachable, in an outage); that says nothing about reuse.
    if (found.ticket !== null) this.hits.observe(hit !== undefined);
    if (hit !== undefined) return hit;
    const startedUnder = this.instance();
    const record = await load();
    if (found.ticket === null || startedUnder === undefined || this.instance() !== startedUnder)
      return record;
    const entry = this.entryFor(key, record, facts);
    if (entry === undefined) return record;
    const listing =
      entry.owner === undefined
        ? undefined
        : {
            indexKey: cacheKeys.owner(entry.owner),
            revocationsKey: cacheKeys.revocations,
            revocations: found.revocations,
            // Listed a margin longer than the entry lives, counted by the store's clock (not ours).
            listedTtlMs: entry.ttl + EXPIRY_MARGIN_MS,
            maxMembers: this.maxIndexEntries,
          };
    await operations.fill(key, found.ticket, entry.value, entry.ttl, listing);
    return record;
  }

  /** The sealed entry a fill stores, its TTL and (with indexes) the owner it is listed under; none when expired. */
  private entryFor<T>(
    key: string,
    record: T | null,
    facts: (record: T) => RecordFacts,
  ): { value: string; ttl: number; owner: string | undefined } | undefined {
    const instance = this.instance();
    if (instance === undefined) return undefined;
    if (record === null) {
      const ttl = this.negativeTtlMs;
      return { value: this.codec.encodeNone(key, this.now() + ttl, instance), ttl, owner: undefined };
    }
    const { owner, expiresAt } = facts(record);
    const ttl = this.ttlFor(expiresAt);
    if (ttl <= 0) return undefined;
    const value = this.codec.encodeRecord(key, record, this.now() + ttl, instance);
    return { value, ttl, owner: this.index ? owner : undefined };
  }

  /** The record (or null for a cached "none") when `raw` is a live, authentic entry; undefined for a miss. */
  private hit<T>(
    key: string,
    raw: string | null,
    codec: RecordCodec<T>,
    facts: (record: T) => RecordFacts,
  ): T | null | undefined {
    if (raw !== null) {
      const now = this.now();
      const instance = this.instance() ?? '';
      const seen = this.verified.lookup<T>(key, raw, now, instance);
      if (seen !== undefined && !this.expired(facts(seen).expiresAt)) return seen;
      const entry = this.codec.decode(key, raw, codec, now, instance);
      if (entry.kind === 'record') {
        if (!this.expired(facts(entry.record).expiresAt)) {
          this.verified.remember(key, raw, entry.record, entry.expiresAt, instance);
          return entry.record;
        }
      } else if (entry.kind === 'none') {
        return null;
      } else if (entry.kind === 'forged') {
        this.refused();
      }
    }
    return undefined;
  }

  /** Call after inserting a new record: clears a negative entry (and any reservation) for its key. */
  async forget(key: string): Promise<void> {
    this.verified.forget([key]);
    await this.store.delete(key);
  }

  /** Call after every update or delete of the records behind `keys` (whether or not the write succeeded). */
  async invalidate(...keys: string[]): Promise<void> {
    this.verified.forget(keys);
    if (keys.length > 0) await this.store.delete(...keys);
  }

  /**
   * Whether an invalidation of `keys` (of anything, when omitted) has not reached the store yet: a resilient
   * store keeps what it could not send for a replay, and until then another process may still read it.
   */
  unconfirmed(keys?: readonly string[]): boolean {
    const store = this.store as CacheStore & { pendingFor?(keys?: readonly string[]): boolean };
    return store.pendingFor?.(keys) ?? false;
  }

  /** Whether revocations here can carry the bus message in the same step (a single Redis node). */
  get sendsMessages(): boolean {
    return this.operations !== undefined;
  }

  /**
   * Deletes `keys` and sends `message` in one step; false when that step was not confirmed (the caller then
   * takes invalidate()'s path, which queues and replays the deletes).
   */
  async invalidateAndSend(keys: readonly string[], message: RevocationMessage): Promise<boolean> {
    this.verified.forget(keys);
    if (!this.operations) return false;
    return this.operations.revoke(keys, message).then(
      () => true,
      () => false,
    );
  }

  /**
   * An owner's revocation and its message in one step: true once confirmed; false when not (the caller then
   * takes revokeOwner()'s path).
   */
  async revokeOwnerAndSend(ownerId: string, message?: RevocationMessage): Promise<boolean> {
    if (!this.operations || !this.index) return false;
    try {
      const members = await this.operations.revokeOwner(
        cacheKeys.owner(ownerId),
        cacheKeys.revocations,
        this.codec.reservation(),
        message,
      );
      this.verified.forget(members);
      return true;
    } catch {
      return false;
    }
  }

  /** Drops every cached record of an owner at once (a deleted user's sessions and API keys). */
  async revokeOwner(ownerId: string): Promise<void> {
    if (await this.revokeOwnerAndSend(ownerId)) return;
    if (this.index) {
      // First the revocation value (fills listed after our read of the index see it), then the index.
      const changed = await this.store.update(cacheKeys.revocations, () => this.codec.reservation());
      const members =
        changed === null
          ? undefined
          : await this.index.indexTake(cacheKeys.owner(ownerId)).catch(() => undefined);
      if (members) return this.invalidate(...members);
    }
    // No index, or it could not be read: flush every record entry (a resilient store replays the flush).
    await Promise.all(cacheKeys.recordPrefixes.map((prefix) => this.store.deletePrefix(prefix)));
  }

  /** Claims an absent key with a fresh reservation; a present value (another reader's) is the ticket instead. */
  private async reserve(key: string): Promise<string | null> {
    const reservation = this.codec.reservation();
    if (await this.store.setIfAbsent(key, reservation, this.reservationTtlMs)) return reservation;
    return this.store.get(key);
  }

  private async fill<T>(
    key: string,
    ticket: string,
    revocations: string | null,
    record: T | null,
    facts: (record: T) => RecordFacts,
  ): Promise<void> {
    // Written under the instance we know now; unknown (reconnecting) means no fill at all.
    const instance = this.instance();
    if (instance === undefined) return;
    if (record === null) {
      const entry = this.codec.encodeNone(key, this.now() + this.negativeTtlMs, instance);
      await this.store.compareAndSet(key, ticket, entry, this.negativeTtlMs);
      return;
    }
    const { owner, expiresAt } = facts(record);
    if (this.index) {
      const listed = this.ttlFor(expiresAt);
      if (listed <= 0) return;
      // Listed a margin longer than the entry lives, counted by the store's clock (not ours).
      const ttl = listed + EXPIRY_MARGIN_MS;
      if (!(await this.index.indexAdd(cacheKeys.owner(owner), key, ttl, this.maxIndexEntries))) return;
      // Listed: a revocation from now on finds us. One before it changed the value read before the load.
      if (!(await this.store.compareAndSet(cacheKeys.revocations, revocations, revocations))) return;
    }
    // TTL computed last, so the entry never outlives the record by the time the steps above took.
    const ttl = this.ttlFor(expiresAt);
    if (ttl <= 0) return;
    const entry = this.codec.encodeRecord(key, record, this.now() + ttl, instance);
    await this.store.compareAndSet(key, ticket, entry, ttl);
  }

  private refused(): void {
    this.forged += 1;
    if (this.forged === 1) {
      this.logger.warn(
        {},
        'cache entry failed authentication (forged, tampered, or written with another secret): treated as a miss',
      );
    }
  }

  /** Ends a second before the record does, so the command's own latency cannot carry the entry past it. */
  private ttlFor(expiresAt: Date | undefined): number {
    return recordTtl(this.maxTtlMs, expiresAt, this.now());
  }

  private expired(expiresAt: Date | undefined): boolean {
    return expiresAt !== undefined && expiresAt.getTime() <= this.now();
  }

  /** The store's current lifetime (a Redis run id); an in-process store has just one. */
  private instance(): string | undefined {
    return this.store.instanceId ? this.store.instanceId() : 'local';
  }

  private now(): number {
    return this.clock.now().getTime();
  }
}
