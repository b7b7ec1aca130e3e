import {
  positiveInteger,
  startSweep,
  type MemoryCacheOptions,
} from '../../adapters/cache/memory/memory-cache.js';
import { clockMs } from '../../adapters/system/clock.js';
import type { Clock } from '../../ports/system.js';
import type { RecordCodec } from './cache-codec.js';
import { copyMeasured, copyRecord } from './record-copy.js';
import {
  recordCacheDefaults,
  recordTtl,
  type RecordCacheSettings,
  type RecordFacts,
} from './record-cache.js';

/** A fill reservation: unique by identity, so no later one can be mistaken for it. */
interface Reservation {
  readonly kind: 'reserved';
  readonly expiresAt: number;
}
interface Held {
  readonly kind: 'record' | 'none';
  readonly record: unknown;
  readonly expiresAt: number;
  readonly bytes: number;
  /** The insertion count when it last went to the recent end (see `touch`). */
  stamp: number;
}
type Slot = Reservation | Held;

/** Rough cost of a slot, its Map entry and the record's object headers, so small records still count. */
const SLOT_OVERHEAD_BYTES = 256;

/**
 * The records of the in-process tier, held as objects: nothing outside this process can write to its memory,
 * so entries need no MAC and no parsing (the shared tier authenticates its own). The same ordering as
 * RecordCache, kept synchronously: a miss reserves its key, an invalidation deletes the key, and a fill lands
 * only if its reservation is still there, so a fill computed before a write never lands after it.
 * Bounded as an LRU by entry count and (estimated) bytes; expired slots go when read, evicted or swept
 * (in the background, as MemoryCache does: `sweepIntervalMs`, default 30 s, 0 = off).
 */
export class LocalRecords {
  private readonly slots = new Map<string, Slot>();
  private readonly maxEntries: number;
  private readonly maxBytes: number;
  private readonly maxTtlMs: number;
  private readonly negativeTtlMs: number;
  private readonly reservationTtlMs: number;
  private bytes = 0;
  /** Slots inserted so far: the Map's order is the order of these stamps. */
  private inserted = 0;
  /** A hit moves its slot to the recent end only when more slots than this went in since it last moved. */
  private readonly refreshAfter: number;
  private readonly sweepTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly clock: Clock,
    settings: MemoryCacheOptions & RecordCacheSettings = {},
  ) {
    this.maxEntries = positiveInteger(settings.maxEntries ?? 10_000, 'in-process cache maxEntries');
    this.maxBytes = positiveInteger(settings.maxBytes ?? 32 * 1024 * 1024, 'in-process cache maxBytes');
    this.refreshAfter = this.maxEntries >> 2;
    ({
      maxTtlMs: this.maxTtlMs,
      negativeTtlMs: this.negativeTtlMs,
      reservationTtlMs: this.reservationTtlMs,
    } = recordCacheDefaults(settings));
    const interval = settings.sweepIntervalMs ?? 30_000;
    if (interval > 0) this.sweepTimer = startSweep(this, interval);
  }

  /** Current size, for metrics and tests. */
  stats(): { entries: number; bytes: number } {
    return { entries: this.slots.size, bytes: this.bytes };
  }

  read<T>(
    key: string,
    _codec: RecordCodec<T>,
    load: () => Promise<T | null>,
    facts: (record: T) => RecordFacts,
  ): Promise<T | null> {
    const now = this.now();
    const slot = this.live(key, now);
    if (slot === undefined || slot.kind === 'reserved') return this.miss(key, slot, now, load, facts);
    // A hit answers without an async function's frame: the copy is ready now.
    this.touch(key, slot);
    if (slot.kind === 'none') return Promise.resolve(null);
    try {
      return Promise.resolve(copyRecord(slot.record as T));
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }

  /** Call after inserting a new record: clears a negative entry (and any reservation) for its key. */
  async forget(key: string): Promise<void> {
    this.delete([key]);
  }

  async invalidate(...keys: string[]): Promise<void> {
    this.delete(keys);
  }

  delete(keys: readonly string[]): void {
    for (const key of keys) this.remove(key);
  }

  /** Removes every expired slot; returns how many went. The background timer calls this. */
  sweepExpired(): number {
    const now = this.now();
    let removed = 0;
    for (const [key, slot] of this.slots) {
      if (slot.expiresAt > now) continue;
      this.remove(key);
      removed += 1;
    }
    return removed;
  }

  /** Stops the background sweep and drops everything. */
  close(): void {
    clearInterval(this.sweepTimer);
    this.clear();
  }

  /** Drops every entry and every reservation, so in-flight fills are refused too. */
  clear(): void {
    this.slots.clear();
    this.bytes = 0;
  }

  private async miss<T>(
    key: string,
    slot: Reservation | undefined,
    now: number,
    load: () => Promise<T | null>,
    facts: (record: T) => RecordFacts,
  ): Promise<T | null> {
    // Whatever the key holds now is the ticket: any invalidation from here on removes it.
    const ticket = slot ?? this.reserve(key, now);
    const record = await load();
    this.fill(key, ticket, record, facts);
    return record;
  }

  /**
   * Marks a hit slot recently used by re-inserting it, once more than a quarter of maxEntries slots went in
   * since it last moved: a slot read lately is then never among the oldest three quarters that eviction takes
   * first, and a hot set of entries is served without two Map writes per hit.
   */
  private touch(key: string, slot: Held): void {
    if (this.inserted - slot.stamp <= this.refreshAfter) return;
    this.slots.delete(key);
    slot.stamp = ++this.inserted;
    this.slots.set(key, slot);
  }

  private reserve(key: string, now: number): Reservation {
    if (this.slots.size >= this.maxEntries) this.evict(1);
    const reservation: Reservation = { kind: 'reserved', expiresAt: now + this.reservationTtlMs };
    this.inserted += 1;
    this.slots.set(key, reservation);
    return reservation;
  }

  private fill<T>(
    key: string,
    ticket: Slot | undefined,
    record: T | null,
    facts: (record: T) => RecordFacts,
  ): void {
    if (ticket === undefined || this.slots.get(key) !== ticket) return;
    const now = this.now();
    const ttl = record === null ? this.negativeTtlMs : recordTtl(this.maxTtlMs, facts(record).expiresAt, now);
    this.remove(key);
    if (ttl <= 0) return;
    // Copied and measured in one walk: a caller's later mutation must not reach the tier.
    const measured = record === null ? { copy: null, bytes: 0 } : copyMeasured(record);
    const held = measured.copy;
    const bytes = key.length * 2 + measured.bytes + SLOT_OVERHEAD_BYTES;
    if (bytes > this.maxBytes) return;
    this.slots.set(key, {
      kind: held === null ? 'none' : 'record',
      record: held,
      expiresAt: now + ttl,
      bytes,
      stamp: ++this.inserted,
    });
    this.bytes += bytes;
    this.evict(0);
  }

  private live(key: string, now: number): Slot | undefined {
    const slot = this.slots.get(key);
    if (slot === undefined || slot.expiresAt > now) return slot;
    this.remove(key);
    return undefined;
  }

  /** Evicts least recently used slots until the bounds hold with `room` free entries. */
  private evict(room: number): void {
    for (const key of this.slots.keys()) {
      if (this.slots.size + room <= this.maxEntries && this.bytes <= this.maxBytes) return;
      this.remove(key);
    }
  }

  private remove(key: string): void {
    const slot = this.slots.get(key);
    if (slot === undefined) return;
    this.slots.delete(key);
    if (slot.kind !== 'reserved') this.bytes -= slot.bytes;
  }

  private now(): number {
    return clockMs(this.clock);
  }
}
