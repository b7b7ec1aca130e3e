import { UnavailableError } from '../../domain/errors.js';
import type { CacheStore } from '../../ports/cache.js';
import type { Logger } from '../../ports/system.js';
import { Deadlines } from './deadlines.js';
import { isCallerError, normaliseTtl } from './ttl.js';

export interface ResilientCacheOptions {
  logger: Logger;
  /** Longest wait for one get/set/delete/take/update before it counts as an outage (default 50 ms). */
  timeoutMs?: number;
  /** Longest wait for deletePrefix and for replaying invalidations, which may touch many keys (default 5 s). */
  bulkTimeoutMs?: number;
  /** While degraded, at most one recovery attempt per this interval, started by an incoming call (default 1 s). */
  probeIntervalMs?: number;
  /** Failed invalidations remembered for replay; past this the whole namespace is flushed on recovery (default 10 000). */
  maxPendingInvalidations?: number;
  /** What "the whole namespace" is for that flush: deletePrefix(flushPrefix) on the inner store (default ''). */
  flushPrefix?: string;
  /**
   * The inner store already fails a single operation after timeoutMs (ioredis `commandTimeout`), so
   * get/set/delete/take skip our own deadline: on the hot read path that saves a wrapper per call.
   */
  innerEnforcesTimeout?: boolean;
}

export type CacheHealth = 'healthy' | 'degraded';

const REPLAY_BATCH = 100;
const PROBE_KEY = '__authkeep_probe__';

class CacheTimeout extends Error {}

/**
 * A CacheStore over another one (normally Redis) that never lets the cache hurt the caller: a failed or slow
 * read is a miss (the caller goes to the database), a failed write is swallowed, and one warning is logged per
 * outage plus one on recovery. Writes that may not have landed become pending invalidations; until they are
 * all replayed no cached value is served, so nothing stale is read after the store returns.
 * Limit: the pending list lives in this process; another process may read an entry we failed to delete until its TTL.
 */
export class ResilientCache implements CacheStore {
  private readonly inner: CacheStore;
  private readonly logger: Logger;
  private readonly timeoutMs: number;
  private readonly bulkTimeoutMs: number;
  private readonly probeIntervalMs: number;
  private readonly maxPending: number;
  private readonly flushPrefix: string;
  private readonly pendingKeys = new Set<string>();
  private readonly pendingPrefixes = new Set<string>();
  private flushOnRecovery = false;
  private degradedSince: number | undefined;
  private lastProbe = 0;
  private recovering: Promise<void> | undefined;
  private closed = false;
  private readonly deadlines: Deadlines;
  private readonly innerEnforcesTimeout: boolean;

  constructor(inner: CacheStore, options: ResilientCacheOptions) {
    this.inner = inner;
    this.logger = options.logger;
    this.timeoutMs = options.timeoutMs ?? 50;
    this.deadlines = new Deadlines(Math.max(1, Math.floor(this.timeoutMs / 4)));
    this.innerEnforcesTimeout = options.innerEnforcesTimeout ?? false;
    this.bulkTimeoutMs = options.bulkTimeoutMs ?? 5_000;
    this.probeIntervalMs = options.probeIntervalMs ?? 1_000;
    this.maxPending = options.maxPendingInvalidations ?? 10_000;
    this.flushPrefix = options.flushPrefix ?? '';
  }

  health(): CacheHealth {
    return this.degradedSince === undefined ? 'healthy' : 'degraded';
  }

  async get(key: string): Promise<string | null> {
    if (!this.usable()) return null;
    return this.attempt(() => this.inner.get(key), null);
  }

  async set(key: string, value: string, ttlMs?: number): Promise<void> {
    normaliseTtl(ttlMs);
    // A write that did not land may leave an older value behind: it becomes an invalidation.
    if (!this.usable()) return this.remember(key);
    await this.attempt(() => this.inner.set(key, value, ttlMs), undefined, key);
  }

  async setIfAbsent(key: string, value: string, ttlMs?: number): Promise<boolean> {
    normaliseTtl(ttlMs);
    // "Not stored" is the safe answer: the caller must not believe it owns the key.
    if (!this.usable()) return false;
    return this.attempt(() => this.inner.setIfAbsent(key, value, ttlMs), false);
  }

  async delete(...keys: string[]): Promise<void> {
    if (keys.length === 0) return;
    if (!this.usable()) return this.remember(...keys);
    await this.attempt(() => this.inner.delete(...keys), undefined, ...keys);
  }

  async take(key: string): Promise<string | null> {
    // A take that failed must still consume: the value may be single-use.
    if (!this.usable()) {
      this.remember(key);
      return null;
    }
    return this.attempt(() => this.inner.take(key), null, key);
  }

  async deletePrefix(prefix: string): Promise<number> {
    if (!this.usable()) {
      this.rememberPrefix(prefix);
      return 0;
    }
    try {
      return await this.within(this.bulkTimeoutMs, () => this.inner.deletePrefix(prefix));
    } catch (error) {
      if (isCallerError(error)) throw error;
      this.markDown(error);
      this.rememberPrefix(prefix);
      return 0;
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
      return await this.within(this.timeoutMs, () => this.inner.update(key, guarded, ttlMs));
    } catch (error) {
      if (callbackError) throw callbackError.error;
      if (isCallerError(error)) throw error;
      this.markDown(error);
      this.remember(key);
      return null;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.deadlines.stop();
    await this.recovering?.catch(() => undefined);
    await this.inner.close();
  }

  /** Healthy and nothing pending; otherwise maybe start a recovery in the background and say no. */
  private usable(): boolean {
    if (this.closed) throw new UnavailableError('cache is closed', { retryable: false });
    if (this.degradedSince === undefined) return true;
    const now = Date.now();
    if (!this.recovering && now - this.lastProbe >= this.probeIntervalMs) {
      this.lastProbe = now;
      this.recovering = this.recover().finally(() => {
        this.recovering = undefined;
      });
    }
    return false;
  }

  /** Runs one operation within the timeout; on failure invalidates `keys`, marks the outage, returns `fallback`. */
  private attempt<T>(operation: () => Promise<T>, fallback: T, ...keys: string[]): Promise<T> {
    // Hot path (every cached read): as few promises as possible between the caller and Redis.
    const running = this.innerEnforcesTimeout ? call(operation) : this.within(this.timeoutMs, operation);
    return running.catch((error: unknown) => {
      if (isCallerError(error)) throw error;
      // The failure first, so the outage is logged with its reason (not as a bare invalidation).
      this.markDown(error);
      this.remember(...keys);
      return fallback;
    });
  }

  private within<T>(timeoutMs: number, operation: () => Promise<T>): Promise<T> {
    // A late rejection after the deadline is handled inside `within`, never left unhandled.
    return this.deadlines.within(
      timeoutMs,
      call(operation),
      () => new CacheTimeout(`cache operation exceeded ${timeoutMs} ms`),
    );
  }

  private markDown(error: unknown): void {
    if (this.degradedSince !== undefined) return;
    this.degradedSince = Date.now();
    this.lastProbe = this.degradedSince;
    this.logger.warn(
      outageReason(error),
      'cache unavailable: serving from the database and queueing invalidations until it returns',
    );
  }

  private remember(...keys: string[]): void {
    if (keys.length === 0) return;
    this.markDown(new Error('a cache write was not applied'));
    if (this.flushOnRecovery) return;
    for (const key of keys) this.pendingKeys.add(key);
    this.checkOverflow();
  }

  private rememberPrefix(prefix: string): void {
    this.markDown(new Error('a cache prefix delete was not applied'));
    if (this.flushOnRecovery) return;
    this.pendingPrefixes.add(prefix);
    this.checkOverflow();
  }

  /** Past the bound a flush of the namespace replaces the list: memory stays bounded, staleness still impossible. */
  private checkOverflow(): void {
    if (this.pendingKeys.size + this.pendingPrefixes.size <= this.maxPending) return;
    this.flushOnRecovery = true;
    this.pendingKeys.clear();
    this.pendingPrefixes.clear();
  }

  /** Replays what is pending (or flushes); only when all of it succeeds are reads served again. */
  private async recover(): Promise<void> {
    try {
      let replayed = 0;
      if (this.flushOnRecovery) {
        // Cleared first so invalidations arriving during the flush are recorded and replayed after it.
        this.flushOnRecovery = false;
        try {
          await this.within(this.bulkTimeoutMs, () => this.inner.deletePrefix(this.flushPrefix));
        } catch (error) {
          this.flushOnRecovery = true;
          this.pendingKeys.clear();
          this.pendingPrefixes.clear();
          throw error;
        }
      }
      for (const prefix of [...this.pendingPrefixes]) {
        await this.within(this.bulkTimeoutMs, () => this.inner.deletePrefix(prefix));
        this.pendingPrefixes.delete(prefix);
        replayed += 1;
      }
      while (this.pendingKeys.size > 0) {
        const batch = [...this.pendingKeys].slice(0, REPLAY_BATCH);
        await this.within(this.bulkTimeoutMs, () => this.inner.delete(...batch));
        for (const key of batch) this.pendingKeys.delete(key);
        replayed += batch.length;
      }
      if (replayed === 0) await this.within(this.timeoutMs, () => this.inner.get(PROBE_KEY));
      if (this.flushOnRecovery || this.pendingPrefixes.size > 0) return;
      const outageMs = Date.now() - (this.degradedSince ?? Date.now());
      this.degradedSince = undefined;
      this.logger.warn(
        { outageMs, replayed },
        'cache recovered: invalidations replayed, serving cached reads again',
      );
    } catch {
      this.lastProbe = Date.now();
    }
  }
}

/** Calls `operation`, turning a synchronous throw into a rejection. */
function call<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return operation();
  } catch (error) {
    return Promise.reject(error as Error);
  }
}

/** What a log line says about why the cache went down: the codes and messages of the error chain (never data). */
function outageReason(error: unknown): { reason: string; errorCode?: string } {
  if (error instanceof CacheTimeout) return { reason: 'timeout' };
  const reasons: string[] = [];
  let errorCode: string | undefined;
  for (let e = error, depth = 0; e !== undefined && e !== null && depth < 4; depth++) {
    const { code, message, cause } = e as { code?: unknown; message?: unknown; cause?: unknown };
    if (typeof message === 'string' && message !== '') reasons.push(message);
    if (typeof code === 'string') errorCode = code;
    e = cause;
  }
  const reason = reasons.length > 0 ? reasons.join(': ') : String(error);
  return errorCode === undefined ? { reason } : { reason, errorCode };
}
