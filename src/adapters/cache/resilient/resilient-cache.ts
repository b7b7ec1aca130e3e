import { UnavailableError } from '../../../domain/errors.js';
import {
  recordOperationsOf,
  type CacheIndex,
  type CacheStore,
  type RecordOperations,
  type WithRecordOperations,
} from '../../../ports/cache.js';
import type { Logger } from '../../../ports/system.js';
import { Deadlines } from './deadlines.js';
import { CacheTimeout, closedError, outageReason } from './outage.js';
import { PendingInvalidations } from './pending-invalidations.js';
import { replayPending } from './replay.js';
import type { ResilientCacheOptions } from './resilient-options.js';
import { ResilientOperations, type Resilience } from './resilient-operations.js';
import { isCallerError, normaliseTtl } from '../ttl.js';

export type { ResilientCacheOptions };

export type CacheHealth = 'healthy' | 'degraded';

const PROBE_KEY = '__authkeep_probe__';

/**
 * A CacheStore over another one (normally Redis) that never lets the cache hurt the caller: a failed or slow
 * read is a miss (the caller goes to the database), a failed write is swallowed, and one warning is logged per
 * outage plus one on recovery. Several consecutive failures make an outage (hysteresis); then reads skip the
 * store until a probe succeeds. Every invalidation that may not have landed is kept and replayed exactly, and
 * no cached value is served until the list is empty (also for one that failed outside an outage).
 * Limit: the list lives in this process; another process may read an entry we failed to delete until we replay.
 */
export class ResilientCache implements CacheStore, CacheIndex, WithRecordOperations {
  private readonly inner: CacheStore;
  private readonly index: CacheIndex | undefined;
  private readonly logger: Logger;
  private readonly timeoutMs: number;
  private readonly failureThreshold: number;
  private readonly bulkTimeoutMs: number;
  private readonly probeIntervalMs: number;
  private readonly invalidationWaitMs: number;
  private readonly flushPrefix: string;
  private readonly pending: PendingInvalidations;
  private failures = 0;
  private degradedSince: number | undefined;
  private lastAttempt = 0;
  private recovering: Promise<void> | undefined;
  private closed = false;
  private readonly deadlines: Deadlines;
  private readonly innerEnforcesTimeout: boolean;
  private readonly operations: RecordOperations | undefined;

  constructor(inner: CacheStore, options: ResilientCacheOptions) {
    this.inner = inner;
    this.index = isCacheIndex(inner) ? inner : undefined;
    this.logger = options.logger;
    this.timeoutMs = options.timeoutMs ?? 250;
    this.failureThreshold = Math.max(1, options.failureThreshold ?? 3);
    this.deadlines = new Deadlines(Math.max(1, Math.floor(this.timeoutMs / 4)));
    this.innerEnforcesTimeout = options.innerEnforcesTimeout ?? false;
    this.bulkTimeoutMs = options.bulkTimeoutMs ?? 5_000;
    this.probeIntervalMs = options.probeIntervalMs ?? 1_000;
    this.invalidationWaitMs = options.invalidationWaitMs ?? 3_000;
    this.pending = new PendingInvalidations(options.maxPendingInvalidations ?? 10_000);
    this.flushPrefix = options.flushPrefix ?? '';
    const operations = recordOperationsOf(inner);
    this.operations = operations && new ResilientOperations(operations, this.resilience());
  }

  /** The inner store's one-step record operations, with this wrapper's timeouts and failure accounting. */
  recordOperations(): RecordOperations | undefined {
    return this.operations;
  }

  private resilience(): Resilience {
    return {
      usable: () => this.usable(),
      degraded: () => this.degradedSince !== undefined,
      generation: () => this.pending.generation,
      single: (operation) => this.single(operation),
      succeeded: () => {
        this.failures = 0;
      },
      failed: (error, keys) => {
        this.remember(...keys);
        this.failed(error, undefined);
      },
    };
  }

  instanceId(): string | undefined {
    return this.inner.instanceId ? this.inner.instanceId() : 'store';
  }

  health(): CacheHealth {
    return this.degradedSince === undefined ? 'healthy' : 'degraded';
  }

  /** Whether the inner store keeps per-owner indexes (a shared store), which revocation then relies on. */
  get indexes(): boolean {
    return this.index !== undefined;
  }

  get(key: string): Promise<string | null> {
    if (this.closed) return Promise.reject(closedError());
    if (!this.usable()) return Promise.resolve(null);
    // A read that overlaps a failed invalidation may return what it was meant to remove: a miss instead.
    const generation = this.pending.generation;
    return this.single(() => this.inner.get(key)).then(
      (value) => {
        this.failures = 0;
        return generation === this.pending.generation ? value : null;
      },
      (error: unknown) => this.failed(error, null),
    );
  }

  async set(key: string, value: string, ttlMs?: number): Promise<void> {
    normaliseTtl(ttlMs);
    // A write that did not land may leave an older value behind: it becomes an invalidation.
    if (!this.usable()) return this.remember(key);
    await this.attempt(() => this.inner.set(key, value, ttlMs), undefined, [key]);
  }

  async setIfAbsent(key: string, value: string, ttlMs?: number): Promise<boolean> {
    normaliseTtl(ttlMs);
    // "Not stored" is the safe answer: the caller must not believe it owns the key.
    if (!this.usable()) return false;
    return this.attempt(() => this.inner.setIfAbsent(key, value, ttlMs), false, []);
  }

  async compareAndSet(
    key: string,
    expected: string | null,
    next: string | null,
    ttlMs?: number,
  ): Promise<boolean> {
    normaliseTtl(ttlMs);
    if (!this.usable()) {
      if (next !== expected) this.remember(key);
      return false;
    }
    const keys = next === expected ? [] : [key];
    return this.attempt(() => this.inner.compareAndSet(key, expected, next, ttlMs), false, keys);
  }

  /**
   * An invalidation. When it cannot be applied it is queued, and the call waits (up to invalidationWaitMs)
   * for the replay: another process may be serving the entry, and only the replay removes it.
   */
  async delete(...keys: string[]): Promise<void> {
    if (keys.length === 0) return;
    if (this.degradedSince === undefined) {
      const generation = this.pending.generation;
      await this.attempt(() => this.inner.delete(...keys), undefined, keys);
      if (this.pending.generation === generation) return;
    } else {
      this.remember(...keys);
    }
    await this.untilReplayed(() => keys.some((key) => this.pending.keys.has(key)));
  }

  async take(key: string): Promise<string | null> {
    // A take that failed must still consume: the value may be single-use.
    if (!this.usable()) {
      this.remember(key);
      return null;
    }
    return this.attempt(() => this.inner.take(key), null, [key]);
  }

  async deletePrefix(prefix: string): Promise<number> {
    if (this.degradedSince !== undefined) {
      this.rememberPrefix(prefix);
      return 0;
    }
    try {
      const deleted = await this.within(this.bulkTimeoutMs, () => this.inner.deletePrefix(prefix));
      this.failures = 0;
      return deleted;
    } catch (error) {
      if (isCallerError(error)) throw error;
      this.rememberPrefix(prefix);
      this.countFailure(error);
      await this.untilReplayed(() => this.pending.flush || this.pending.prefixes.has(prefix));
      return 0;
    }
  }

  /**
   * Waits while `stillPending()` (a replay being attempted), until invalidationWaitMs after the outage began:
   * in a long outage, revocations are queued without waiting (other processes see the outage by then too).
   */
  private async untilReplayed(stillPending: () => boolean): Promise<void> {
    const started = Date.now();
    const deadline = () => Math.min(started, this.degradedSince ?? started) + this.invalidationWaitMs;
    while (stillPending() && Date.now() < deadline() && !this.closed) {
      this.startRecovery();
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  async update(
    key: string,
    update: (current: string | null) => string | null,
    ttlMs?: number,
  ): Promise<string | null> {
    normaliseTtl(ttlMs);
    // Without the store there is nothing to modify; deleting the key later keeps "null" true.
    if (!this.usable()) {
      this.remember(key);
      return null;
    }
    let callbackError: { error: unknown } | undefined;
    const guarded = (current: string | null) => {
      try {
        return update(current);
      } catch (error) {
        callbackError = { error };
        throw error;
      }
    };
    try {
      const stored = await this.within(this.timeoutMs, () => this.inner.update(key, guarded, ttlMs));
      this.failures = 0;
      return stored;
    } catch (error) {
      if (callbackError) throw callbackError.error;
      if (isCallerError(error)) throw error;
      this.remember(key);
      this.countFailure(error);
      return null;
    }
  }

  /** A failed index update only skips that fill: false, and it never counts towards an outage. */
  async indexAdd(indexKey: string, member: string, ttlMs: number, maxMembers: number): Promise<boolean> {
    if (!this.index || !this.usable()) return false;
    const index = this.index;
    return this.single(() => index.indexAdd(indexKey, member, ttlMs, maxMembers)).catch(() => false);
  }

  /** Rejects when the index cannot be read, so the caller can fall back to a wider invalidation. */
  async indexTake(indexKey: string): Promise<string[]> {
    if (!this.index || this.degradedSince !== undefined)
      throw new UnavailableError('cache index unavailable');
    const index = this.index;
    return this.single(() => index.indexTake(indexKey));
  }

  /** Whether an invalidation covering any of `keys` (any at all when omitted) still waits for its replay. */
  pendingFor(keys?: readonly string[]): boolean {
    return this.pending.covers(keys);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.deadlines.stop();
    await this.recovering?.catch(() => undefined);
    await this.inner.close();
  }

  /** Healthy and nothing pending; otherwise maybe start a recovery in the background and say no. */
  private usable(): boolean {
    if (this.closed) throw closedError();
    if (this.degradedSince === undefined && this.pending.empty) return true;
    this.startRecovery();
    return false;
  }

  private startRecovery(): void {
    if (this.recovering || this.closed) return;
    const now = Date.now();
    if (this.degradedSince !== undefined && now - this.lastAttempt < this.probeIntervalMs) return;
    this.lastAttempt = now;
    this.recovering = this.recover().finally(() => {
      this.recovering = undefined;
    });
  }

  /** Runs one operation within the timeout; on failure invalidates `keys`, counts the failure, returns `fallback`. */
  private attempt<T>(operation: () => Promise<T>, fallback: T, keys: readonly string[]): Promise<T> {
    return this.single(operation).then(
      (value) => {
        this.failures = 0;
        return value;
      },
      (error: unknown) => {
        this.remember(...keys);
        return this.failed(error, fallback);
      },
    );
  }

  private failed<T>(error: unknown, fallback: T): T {
    if (isCallerError(error)) throw error;
    this.countFailure(error);
    return fallback;
  }

  /** A single command: the inner store's own timeout when it has one, else ours. */
  private single<T>(operation: () => Promise<T>): Promise<T> {
    return this.innerEnforcesTimeout ? call(operation) : this.within(this.timeoutMs, operation);
  }

  private within<T>(timeoutMs: number, operation: () => Promise<T>): Promise<T> {
    // A late rejection after the deadline is handled inside `within`, never left unhandled.
    return this.deadlines.within(
      timeoutMs,
      call(operation),
      () => new CacheTimeout(`cache operation exceeded ${timeoutMs} ms`),
    );
  }

  private countFailure(error: unknown): void {
    this.failures += 1;
    if (this.failures >= this.failureThreshold) this.markDown(error);
  }

  private markDown(error: unknown): void {
    if (this.degradedSince !== undefined) return;
    this.degradedSince = Date.now();
    this.lastAttempt = this.degradedSince;
    this.logger.warn(
      outageReason(error),
      'cache unavailable: serving from the database and queueing invalidations until it returns',
    );
  }

  private remember(...keys: string[]): void {
    if (keys.length === 0) return;
    this.pending.addKeys(keys);
    this.startRecovery();
  }

  private rememberPrefix(prefix: string): void {
    this.pending.addPrefix(prefix);
    this.startRecovery();
  }

  /**
   * Replays until nothing is pending, probes when degraded, and serves again only if the list is still empty
   * at that moment: an invalidation that arrives while a replay or the probe is in flight is replayed too.
   */
  private async recover(): Promise<void> {
    let replayed = 0;
    try {
      let probed = this.degradedSince === undefined;
      for (;;) {
        replayed += await replayPending(this.pending, this.inner, this.flushPrefix, (operation) =>
          this.within(this.bulkTimeoutMs, operation),
        );
        if (!probed) {
          await this.within(this.timeoutMs, () => this.inner.get(PROBE_KEY));
          probed = true;
          continue;
        }
        if (!this.pending.empty) continue;
        break;
      }
    } catch (error) {
      this.lastAttempt = Date.now();
      this.markDown(error);
      return;
    }
    this.failures = 0;
    const since = this.degradedSince;
    this.degradedSince = undefined;
    if (since === undefined) return;
    this.logger.warn(
      { outageMs: Date.now() - since, replayed },
      'cache recovered: invalidations replayed, serving cached reads again',
    );
  }
}

function isCacheIndex(store: CacheStore): store is CacheStore & CacheIndex {
  const candidate = store as Partial<CacheIndex>;
  return typeof candidate.indexAdd === 'function' && typeof candidate.indexTake === 'function';
}

/** Calls `operation`, turning a synchronous throw into a rejection. */
function call<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return operation();
  } catch (error) {
    return Promise.reject(error as Error);
  }
}
