import { ConfigError, UnavailableError } from '../../../domain/errors.js';
import type { CacheStore } from '../../../ports/cache.js';
import type { Clock } from '../../../ports/system.js';
import { normaliseTtl } from '../ttl.js';

export interface MemoryCacheOptions {
  /** Most entries kept; the least recently used go first (default 10 000). */
  maxEntries?: number;
  /** Most bytes kept, estimated as 2 per UTF-16 code unit of key and value plus a fixed overhead (default 32 MiB). */
  maxBytes?: number;
  /** How often expired entries are swept in the background (default 30 s; 0 turns the sweep off). */
  sweepIntervalMs?: number;
  clock?: Clock;
}

interface Entry {
  value: string;
  /** Epoch milliseconds; 0 = never. */
  expiresAt: number;
  bytes: number;
}

/** Rough cost of a Map slot and the entry object, so many tiny entries still count. */
const ENTRY_OVERHEAD_BYTES = 64;

const systemNow = () => Date.now();

/**
 * An in-process CacheStore: LRU over a Map (insertion order = recency), bounded by entry count and bytes,
 * with lazy expiry on read and a background sweep. Not shared between processes.
 */
export class MemoryCache implements CacheStore {
  private readonly entries = new Map<string, Entry>();
  private readonly maxEntries: number;
  private readonly maxBytes: number;
  private readonly now: () => number;
  private bytes = 0;
  private sweepTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(options: MemoryCacheOptions = {}) {
    this.maxEntries = positiveInteger(options.maxEntries ?? 10_000, 'MemoryCache maxEntries');
    this.maxBytes = positiveInteger(options.maxBytes ?? 32 * 1024 * 1024, 'MemoryCache maxBytes');
    const clock = options.clock;
    this.now = clock ? () => clock.now().getTime() : systemNow;
    const interval = options.sweepIntervalMs ?? 30_000;
    if (interval > 0) this.sweepTimer = startSweep(this, interval);
  }

  /** Current size, for metrics and tests. */
  stats(): { entries: number; bytes: number } {
    return { entries: this.entries.size, bytes: this.bytes };
  }

  /** Removes every expired entry; returns how many went. The background timer calls this. */
  sweepExpired(): number {
    const now = this.now();
    let removed = 0;
    for (const [key, entry] of this.entries) {
      if (isExpired(entry, now)) {
        this.remove(key, entry);
        removed += 1;
      }
    }
    return removed;
  }

  async get(key: string): Promise<string | null> {
    this.assertOpen();
    const entry = this.live(key);
    if (!entry) return null;
    // Re-insert to mark it most recently used.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  async set(key: string, value: string, ttlMs?: number): Promise<void> {
    this.assertOpen();
    this.store(key, value, this.expiryFor(normaliseTtl(ttlMs)));
  }

  async setIfAbsent(key: string, value: string, ttlMs?: number): Promise<boolean> {
    this.assertOpen();
    const ttl = normaliseTtl(ttlMs);
    if (this.live(key)) return false;
    return this.store(key, value, this.expiryFor(ttl));
  }

  async delete(...keys: string[]): Promise<void> {
    this.assertOpen();
    for (const key of keys) {
      const entry = this.entries.get(key);
      if (entry) this.remove(key, entry);
    }
  }

  async take(key: string): Promise<string | null> {
    this.assertOpen();
    const entry = this.live(key);
    if (!entry) return null;
    this.remove(key, entry);
    return entry.value;
  }

  async deletePrefix(prefix: string): Promise<number> {
    this.assertOpen();
    const now = this.now();
    let removed = 0;
    for (const [key, entry] of this.entries) {
      if (!key.startsWith(prefix)) continue;
      this.remove(key, entry);
      if (!isExpired(entry, now)) removed += 1;
    }
    return removed;
  }

  async update(
    key: string,
    update: (current: string | null) => string | null,
    ttlMs?: number,
  ): Promise<string | null> {
    this.assertOpen();
    const ttl = normaliseTtl(ttlMs);
    // Single-threaded: nothing can interleave between this read and the write below.
    const entry = this.live(key);
    const next = update(entry?.value ?? null);
    if (next === null) {
      if (entry) this.remove(key, entry);
      return null;
    }
    const expiresAt = ttl > 0 ? this.now() + ttl : (entry?.expiresAt ?? 0);
    return this.store(key, next, expiresAt) ? next : null;
  }

  async compareAndSet(
    key: string,
    expected: string | null,
    next: string | null,
    ttlMs?: number,
  ): Promise<boolean> {
    this.assertOpen();
    const ttl = normaliseTtl(ttlMs);
    const entry = this.live(key);
    if ((entry?.value ?? null) !== expected) return false;
    if (next === expected) return true;
    if (next === null) {
      if (entry) this.remove(key, entry);
      return true;
    }
    return this.store(key, next, this.expiryFor(ttl));
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    this.sweepTimer = undefined;
    this.entries.clear();
    this.bytes = 0;
  }

  private expiryFor(ttl: number): number {
    return ttl > 0 ? this.now() + ttl : 0;
  }

  /** The entry if present and unexpired; an expired one is dropped on the way. */
  private live(key: string): Entry | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (!isExpired(entry, this.now())) return entry;
    this.remove(key, entry);
    return undefined;
  }

  /** Stores and evicts down to the bounds; an entry bigger than the whole budget is refused (and the old value dropped). */
  private store(key: string, value: string, expiresAt: number): boolean {
    const previous = this.entries.get(key);
    if (previous) this.remove(key, previous);
    const bytes = (key.length + value.length) * 2 + ENTRY_OVERHEAD_BYTES;
    if (bytes > this.maxBytes) return false;
    this.entries.set(key, { value, expiresAt, bytes });
    this.bytes += bytes;
    this.evict();
    return true;
  }

  private evict(): void {
    for (const [key, entry] of this.entries) {
      if (this.entries.size <= this.maxEntries && this.bytes <= this.maxBytes) return;
      this.remove(key, entry);
    }
  }

  private remove(key: string, entry: Entry): void {
    this.entries.delete(key);
    this.bytes -= entry.bytes;
  }

  private assertOpen(): void {
    if (this.closed) throw new UnavailableError('memory cache is closed', { retryable: false });
  }
}

function isExpired(entry: Entry, now: number): boolean {
  return entry.expiresAt !== 0 && entry.expiresAt <= now;
}

/** `what` names the option in the error (e.g. "MemoryCache maxEntries"). */
export function positiveInteger(value: number, what: string): number {
  if (!Number.isInteger(value) || value <= 0) throw new ConfigError(`${what} must be a positive integer`);
  return value;
}

/**
 * Sweeps on an unref'd timer that holds the cache only weakly: the timer never keeps the process alive,
 * and a cache dropped without close() is still collected (the timer then stops itself).
 */
export function startSweep(cache: { sweepExpired(): number }, intervalMs: number): NodeJS.Timeout {
  const ref = new WeakRef(cache);
  const timer: NodeJS.Timeout = setInterval(() => {
    const target = ref.deref();
    if (target) target.sweepExpired();
    else clearInterval(timer);
  }, intervalMs);
  timer.unref();
  return timer;
}
