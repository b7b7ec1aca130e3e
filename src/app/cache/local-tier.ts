import { randomBytes } from 'node:crypto';
import type { MemoryCacheOptions } from '../../adapters/cache/memory/memory-cache.js';
import { UnavailableError } from '../../domain/errors.js';
import type { Invalidation, InvalidationBus, InvalidationListener } from '../../ports/invalidation-bus.js';
import type { Clock, Logger } from '../../ports/system.js';
import { LocalRecords } from './local-records.js';
import type { RecordCacheSettings } from './record-cache.js';

export interface LocalTierSettings extends MemoryCacheOptions {
  /** How often this process sends itself a heartbeat over the bus (default 250 ms). */
  heartbeatMs?: number;
  /**
   * The in-process tier is trusted only while a heartbeat sent less than this ago has come back (default 1 s).
   * Bus messages arrive in publish order, so once one sent after a revocation is back, so is the revocation:
   * this is the hard bound on serving a revoked entry; normal propagation is a few milliseconds.
   */
  leaseMs?: number;
  /**
   * How long a revoking call waits for the bus to confirm its invalidation before it fails with a retryable
   * UnavailableError (default 2 s).
   */
  publishTimeoutMs?: number;
}

/** Unpublished invalidations kept for a retry; past this they collapse into one "flush everything". */
const MAX_UNPUBLISHED = 1_000;

/** Why a revoking call failed although its write may stand: the caller retries until it succeeds. */
export function unconfirmedRevocation(cause?: unknown): UnavailableError {
  return new UnavailableError(
    'the change was written but its cache invalidation could not be confirmed: other processes may still ' +
      'serve the old record; retry the call (it is safe to repeat) until it succeeds',
    { cause, details: { revocation: 'unconfirmed' } },
  );
}

/**
 * The in-process tier (a bounded LRU of records) kept coherent with other processes by an
 * invalidation bus. It is used only while the subscription is live and a heartbeat this process sent after
 * the last moment it may have missed a message has come back within the lease; otherwise it is flushed and
 * bypassed, so a missed message (a dropped or silent connection, a paused broker) can never leave a revoked
 * entry being served past the lease. One heartbeat is in flight at a time: one not back within the lease
 * makes the bus reconnect instead of queueing another behind it. Without a bus (SQLite, or `bus: 'off'`)
 * it is a single-process cache.
 */
export class LocalTier implements InvalidationListener {
  readonly records: LocalRecords;
  private readonly logger: Logger;
  private readonly id = randomBytes(8).toString('hex');
  private readonly heartbeatMs: number;
  private readonly leaseMs: number;
  private readonly publishTimeoutMs: number;
  private subscribed = false;
  /** When (performance.now()) the newest heartbeat that came back was sent. */
  private lastEcho = -Infinity;
  /** Only heartbeats sent at or after this moment prove anything: a message may have been missed before it. */
  private trustFrom = Infinity;
  /** When the heartbeat still awaiting its echo was sent. */
  private inFlight: number | undefined;
  private started = false;
  private timer: NodeJS.Timeout | undefined;
  private unpublished: Invalidation[] = [];
  private warnedUnpublished = false;

  constructor(
    parts: { clock: Clock; logger: Logger },
    settings: LocalTierSettings & RecordCacheSettings,
    private readonly bus: InvalidationBus | undefined,
  ) {
    this.records = new LocalRecords(parts.clock, settings);
    this.heartbeatMs = settings.heartbeatMs ?? 250;
    this.leaseMs = settings.leaseMs ?? 1_000;
    this.publishTimeoutMs = settings.publishTimeoutMs ?? 2_000;
    this.logger = parts.logger;
  }

  /** Whether in-process entries may be read and filled right now. */
  get usable(): boolean {
    if (!this.bus) return true;
    this.start();
    return this.subscribed && performance.now() - this.lastEcho <= this.leaseMs;
  }

  /** Starts the bus subscription and the heartbeat (idempotent); the facade calls it on connect(). */
  start(): void {
    if (this.started || !this.bus) return;
    this.started = true;
    this.bus.start(this);
    this.timer = setInterval(() => this.beat(), this.heartbeatMs);
    this.timer.unref();
  }

  /**
   * Publishes an invalidation to the other processes and resolves once the bus confirmed it; otherwise
   * (refused, or not confirmed within publishTimeoutMs) rejects with a retryable UnavailableError. The message
   * is also kept and republished once the bus answers again.
   */
  async publish(message: Invalidation): Promise<void> {
    if (!this.bus) return;
    this.start();
    try {
      await within(this.bus.publish(message), this.publishTimeoutMs);
    } catch (error) {
      this.queueUnpublished(message);
      throw unconfirmedRevocation(error);
    }
  }

  /** Drops every in-process entry (and every reservation, so in-flight local fills are refused). */
  flush(): void {
    this.records.clear();
  }

  invalidated(message: Invalidation): void {
    if ('ping' in message) {
      const [id, sentAt] = message.ping.split(':');
      if (id === this.id) this.echo(Number(sentAt));
      return;
    }
    // Synchronous: the keys are gone when this returns.
    if ('keys' in message) this.records.delete(message.keys);
    else this.flush();
  }

  down(): void {
    this.subscribed = false;
    this.distrust();
  }

  up(): void {
    this.subscribed = true;
    this.distrust();
    this.beat();
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.bus?.close();
    this.records.close();
  }

  /** From now on a message may have been missed: flush, and wait for a heartbeat sent after this moment. */
  private distrust(): void {
    this.trustFrom = performance.now();
    this.lastEcho = -Infinity;
    this.inFlight = undefined;
    this.flush();
  }

  /** A heartbeat came back: if the lease had lapsed meanwhile, a message may have been missed. */
  private echo(sentAt: number): void {
    if (sentAt === this.inFlight) this.inFlight = undefined;
    if (!(sentAt >= this.trustFrom) || !(sentAt > this.lastEcho)) return;
    if (performance.now() - this.lastEcho > this.leaseMs) this.flush();
    this.lastEcho = sentAt;
    if (this.unpublished.length > 0) this.republish();
  }

  private beat(): void {
    if (!this.bus || !this.subscribed) return;
    const now = performance.now();
    if (now - this.lastEcho > this.leaseMs) this.flush();
    if (this.inFlight !== undefined) {
      // Never queue a heartbeat behind one that has not come back; one lost for a lease means a dead path.
      if (now - this.inFlight <= this.leaseMs) return;
      this.logger.debug({}, 'cache bus heartbeat lost: reconnecting');
      this.inFlight = undefined;
      this.down();
      this.bus.reconnect();
      return;
    }
    this.inFlight = now;
    this.bus.publish({ ping: `${this.id}:${now}` }).catch(() => {
      if (this.inFlight === now) this.inFlight = undefined;
    });
  }

  private queueUnpublished(message: Invalidation): void {
    if (!this.warnedUnpublished) {
      this.warnedUnpublished = true;
      this.logger.warn(
        {},
        'cache invalidation not confirmed by the bus: revoking calls fail until it answers',
      );
    }
    this.unpublished.push(message);
    if (this.unpublished.length > MAX_UNPUBLISHED) this.unpublished = [{ all: true }];
  }

  private republish(): void {
    if (!this.bus) return;
    const queued = this.unpublished;
    this.unpublished = [];
    this.warnedUnpublished = false;
    for (const message of queued) {
      this.bus.publish(message).catch(() => {
        this.unpublished.push(message);
      });
    }
  }
}

/** Settles like `operation`, or rejects once `ms` have passed (the operation may still complete later). */
function within<T>(operation: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not confirmed within ${ms} ms`)), ms);
    operation.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error('publish failed'));
      },
    );
  });
}
