import type { Cluster, Redis } from 'ioredis';
import type { Invalidation, InvalidationBus, InvalidationListener } from '../../../ports/invalidation-bus.js';
import type { Logger } from '../../../ports/system.js';
import { decodeInvalidation, encodeInvalidation } from './bus-messages.js';
import { isCluster } from '../redis/redis-connection.js';

const RESUBSCRIBE_DELAY_MS = 200;
/** Connect deadline and TCP keepalive delay of the subscriber connection. */
const CONNECT_TIMEOUT_MS = 2_000;
const KEEPALIVE_DELAY_MS = 1_000;

/**
 * The invalidation bus on Redis pub/sub: publishes on the cache's own client and listens on a dedicated
 * duplicate of it. The subscription is resumed by us, not by ioredis, so `up()` is only reported once
 * SUBSCRIBE has been answered: from then on nothing published is missed.
 */
export class RedisInvalidationBus implements InvalidationBus {
  private subscriber: Redis | Cluster | undefined;
  private listener: InvalidationListener | undefined;
  private subscribed = false;
  private closed = false;

  constructor(
    private readonly publisher: Redis | Cluster,
    private readonly channel: string,
    private readonly logger: Logger,
  ) {}

  get live(): boolean {
    return this.subscribed;
  }

  start(listener: InvalidationListener): void {
    if (this.subscriber) return;
    this.listener = listener;
    const options = {
      autoResubscribe: false,
      lazyConnect: true,
      commandTimeout: undefined,
      connectTimeout: CONNECT_TIMEOUT_MS,
      keepAlive: KEEPALIVE_DELAY_MS,
    };
    const subscriber = isCluster(this.publisher)
      ? this.publisher.duplicate(undefined, { redisOptions: options })
      : this.publisher.duplicate(options);
    this.subscriber = subscriber;
    subscriber.on('error', (error: Error) => this.logger.debug({ err: error.message }, 'redis bus error'));
    subscriber.on('ready', () => this.subscribe());
    subscriber.on('close', () => this.lost());
    subscriber.on('end', () => this.lost());
    subscriber.on('message', (channel: string, text: string) => {
      if (channel === this.channel) this.listener?.invalidated(decodeInvalidation(text));
    });
    subscriber.connect().catch(() => undefined); // reconnects by its retry strategy; 'ready' subscribes
  }

  async publish(message: Invalidation): Promise<void> {
    await this.publisher.publish(this.channel, encodeInvalidation(message));
  }

  reconnect(): void {
    if (this.closed) return;
    this.lost();
    // Drops the socket and lets the retry strategy open a new one; 'ready' subscribes again.
    this.subscriber?.disconnect(true);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.subscribed = false;
    this.subscriber?.disconnect();
  }

  private subscribe(): void {
    const subscriber = this.subscriber;
    if (!subscriber || this.closed) return;
    subscriber.subscribe(this.channel).then(
      () => {
        if (this.closed || this.subscribed) return;
        this.subscribed = true;
        this.listener?.up();
      },
      () => {
        // Connected but not subscribed: try again shortly, unless the connection went (then 'ready' retries).
        setTimeout(() => subscriber.status === 'ready' && this.subscribe(), RESUBSCRIBE_DELAY_MS).unref();
      },
    );
  }

  private lost(): void {
    if (!this.subscribed) return;
    this.subscribed = false;
    this.listener?.down();
  }
}
