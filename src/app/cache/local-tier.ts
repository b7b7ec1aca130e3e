import { randomBytes } from 'node:crypto';
import type { MemoryCacheOptions } from '../../adapters/cache/memory-cache.js';
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
}

/** Unpublished invalidations kept for a retry; past this they collapse into one "flush everything". */
const MAX_UNPUBLISHED = 1_000;

/**
 * The in-process tier (a bounded LRU of records) kept coherent with other processes by an
 * invalidation bus. It is used only while the subscription is live and this process's own heartbeat has
 * come back within the lease; otherwise it is flushed and bypassed, so a missed message (a dropped
 * connection, a paused broker) can never leave a revoked entry being served. Without a bus (SQLite, or
 * `bus: 'off'`) it is a single-process cache.
 */
export class LocalTier implements InvalidationListener {
  readonly records: LocalRecords;
  private readonly logger: Logger;
  private readonly id = randomBytes(8).toString('hex');
  private readonly heartbeatMs: number;
  private readonly leaseMs: number;
  private subscribed = false;
  /** When (performance.now()) the newest heartbeat that came back was sent. */
  private lastEcho = -Infinity;
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
    this.logger = parts.logger;
  }

  /** Whether in-process entries may be read and filled right now. The first call starts the bus. */
  get usable(): boolean {
    if (!this.bus) return true;
    if (!this.started) this.start();
    return this.subscribed && performance.now() - this.lastEcho <= this.leaseMs;
  }

  /** Publishes an invalidation to the other processes; resolves once the broker took it (or it is queued). */
  async publish(message: Invalidation): Promise<void> {
    if (!this.bus) return;
    if (!this.started) this.start();
    try {
      await this.bus.publish(message);
    } catch {
      // Our own tier is already bypassed (the bus is down for us); others get it when we reconnect.
      this.queueUnpublished(message);
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
    this.flush();
  }

  up(): void {
    this.subscribed = true;
    this.flush();
    this.beat();
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.bus?.close();
    this.records.close();
  }

  private start(): void {
    this.started = true;
    this.bus?.start(this);
    this.timer = setInterval(() => this.beat(), this.heartbeatMs);
    this.timer.unref();
  }

  /** A heartbeat came back: if the lease had lapsed meanwhile, a message may have been missed. */
  private echo(sentAt: number): void {
    if (!(sentAt > this.lastEcho)) return;
    if (performance.now() - this.lastEcho > this.leaseMs) this.flush();
    this.lastEcho = sentAt;
  }

  private beat(): void {
    if (!this.bus || !this.subscribed) return;
    if (performance.now() - this.lastEcho > this.leaseMs) this.flush();
    this.bus.publish({ ping: `${this.id}:${performance.now()}` }).then(
      () => this.republish(),
      () => undefined,
    );
  }

  private queueUnpublished(message: Invalidation): void {
    if (!this.warnedUnpublished) {
      this.warnedUnpublished = true;
      this.logger.warn({}, 'cache invalidation bus unreachable: revocations are queued and republished');
    }
    this.unpublished.push(message);
    if (this.unpublished.length > MAX_UNPUBLISHED) this.unpublished = [{ all: true }];
  }

  private republish(): void {
    if (this.unpublished.length === 0 || !this.bus) return;
    const queued = this.unpublished;
    this.unpublished = [];
    for (const message of queued) {
      this.bus.publish(message).catch(() => this.queueUnpublished(message));
    }
  }
}
