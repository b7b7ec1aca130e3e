import { UnavailableError } from '../../../domain/errors.js';
import type { SecondaryStore, VersionedRead } from '../../../ports/secondary-store.js';
import { positiveInteger, startSweep } from '../memory/memory-cache.js';

export interface MemorySecondaryStoreOptions {
  /**
   * Most values, and most counters (default 100 000). A write that would add one more is refused (an
   * UnavailableError) rather than evicting: an evicted session index, revocation marker or tombstone would
   * silently undo a revocation. Deletes always succeed; their tombstones may exceed the bound until they expire.
   */
  maxEntries?: number;
  /** How long a delete's tombstone refuses writes that saw the key before it (ms). */
  tombstoneMs: number;
  /** How often expired entries are swept (default 30 s; 0: never). */
  sweepIntervalMs?: number;
}

interface Slot {
  /** Absent in a tombstone. */
  value?: string;
  version: number;
  /** Version of the last delete, carried by later values; 0 when none. */
  deleted: number;
  /** Epoch ms; 0 = never. */
  expiresAt: number;
}

interface Counter {
  count: number;
  expiresAt: number;
}

/**
 * The SecondaryStore of one process: the same rules as the Redis scripts over two Maps (values and counters),
 * each operation a synchronous step, so nothing interleaves inside one. Versions come from a logical clock that
 * follows Date.now() in microseconds and never repeats or goes back.
 */
export class MemorySecondaryStore implements SecondaryStore {
  private readonly slots = new Map<string, Slot>();
  private readonly counters = new Map<string, Counter>();
  private readonly maxEntries: number;
  private readonly tombstoneMs: number;
  private readonly sweepTimer: NodeJS.Timeout | undefined;
  private clock = 0;
  private closed = false;

  constructor(options: MemorySecondaryStoreOptions) {
    this.maxEntries = positiveInteger(options.maxEntries ?? 100_000, 'secondary storage maxEntries');
    this.tombstoneMs = options.tombstoneMs;
    const interval = options.sweepIntervalMs ?? 30_000;
    this.sweepTimer = interval > 0 ? startSweep(this, interval) : undefined;
  }

  /** Removes expired values, tombstones and counters; returns how many went. */
  sweepExpired(): number {
    const now = Date.now();
    let removed = 0;
    for (const map of [this.slots, this.counters] as Map<string, { expiresAt: number }>[]) {
      for (const [key, entry] of map) {
        if (!expired(entry, now)) continue;
        map.delete(key);
        removed += 1;
      }
    }
    return removed;
  }

  async read(key: string): Promise<VersionedRead> {
    this.assertOpen();
    const slot = this.live(key);
    if (!slot) return { value: null, version: 0 };
    return { value: slot.value ?? null, version: slot.version };
  }

  async write(key: string, value: string, ttlMs: number, seenVersion?: number): Promise<number | null> {
    this.assertOpen();
    const slot = this.live(key);
    const deleted = slot?.deleted ?? 0;
    if (seenVersion !== undefined && deleted > seenVersion) return null;
    const version = this.tick(slot?.version);
    if (!slot) this.assertRoom(this.slots);
    this.slots.set(key, { value, version, deleted, expiresAt: ttlMs > 0 ? Date.now() + ttlMs : 0 });
    return version;
  }

  async delete(key: string): Promise<number> {
    this.assertOpen();
    this.counters.delete(key);
    return this.tombstone(key);
  }

  async take(key: string): Promise<VersionedRead> {
    this.assertOpen();
    const value = this.live(key)?.value ?? null;
    return { value, version: this.tombstone(key) };
  }

  async increment(key: string, ttlMs: number): Promise<number> {
    this.assertOpen();
    const now = Date.now();
    const counter = this.counters.get(key);
    if (counter && !expired(counter, now)) {
      counter.count += 1;
      return counter.count;
    }
    if (!counter) this.assertRoom(this.counters);
    this.counters.set(key, { count: 1, expiresAt: ttlMs > 0 ? now + ttlMs : 0 });
    return 1;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    this.slots.clear();
    this.counters.clear();
  }

  private tombstone(key: string): number {
    const version = this.tick(this.live(key)?.version);
    this.slots.set(key, { version, deleted: version, expiresAt: Date.now() + this.tombstoneMs });
    return version;
  }

  /** The next version: above the key's previous one and every version this store handed out before. */
  private tick(previous = 0): number {
    this.clock = Math.max(this.clock + 1, previous + 1, Date.now() * 1000);
    return this.clock;
  }

  private live(key: string): Slot | undefined {
    const slot = this.slots.get(key);
    if (slot && expired(slot, Date.now())) {
      this.slots.delete(key);
      return undefined;
    }
    return slot;
  }

  /** Room for one more key in `map`, sweeping expired entries first; refused when still full. */
  private assertRoom(map: Map<string, unknown>): void {
    if (map.size < this.maxEntries) return;
    this.sweepExpired();
    if (map.size < this.maxEntries) return;
    throw new UnavailableError('secondary storage is full (maxEntries): write refused rather than evicting', {
      retryable: true,
      details: { maxEntries: this.maxEntries },
    });
  }

  private assertOpen(): void {
    if (this.closed) throw new UnavailableError('secondary storage is closed', { retryable: false });
  }
}

function expired(entry: { expiresAt: number }, now: number): boolean {
  return entry.expiresAt !== 0 && entry.expiresAt <= now;
}
