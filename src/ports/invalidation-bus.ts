/**
 * What travels on the bus: cache keys a process invalidated, "flush everything", or a heartbeat whose echo
 * proves to its sender that the subscription still delivers.
 */
export type Invalidation = { keys: string[] } | { all: true } | { ping: string };

export interface InvalidationListener {
  invalidated(message: Invalidation): void;
  /** The subscription is lost (a message may be missed from now on): stop trusting in-process entries. */
  down(): void;
  /** Subscribed again; nothing published from now on will be missed. */
  up(): void;
}

/**
 * Carries invalidations between the processes that share a database, so each one's in-process cache drops
 * what another revoked (Redis pub/sub, or PostgreSQL LISTEN/NOTIFY). At most once: a subscriber that may
 * have missed a message is told so through `down()`, never left believing it is current.
 */
export interface InvalidationBus {
  /** Starts the subscription; `listener.up()` is called once it is live. */
  start(listener: InvalidationListener): void;
  /**
   * Resolves once the broker accepted the message (not when every subscriber got it); rejects otherwise.
   * Messages are delivered to each subscriber in the order the broker accepted them, whatever connection
   * published them (one Redis server; PostgreSQL commit order).
   */
  publish(message: Invalidation): Promise<void>;
  /**
   * The subscription stopped delivering (a heartbeat did not come back): drop its connection and subscribe
   * again, reporting `down()` now and `up()` once live.
   */
  reconnect(): void;
  /** Whether the subscription is live right now. */
  readonly live: boolean;
  close(): Promise<void>;
}
