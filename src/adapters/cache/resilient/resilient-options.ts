import type { Logger } from '../../../ports/system.js';

/** How a ResilientCache decides that its store is down, and what it does until it returns. */
export interface ResilientCacheOptions {
  logger: Logger;
  /** Longest wait for one operation before it counts as a failure (default 250 ms: holds on a loaded 2-core box). */
  timeoutMs?: number;
  /** Consecutive failed operations that make an outage (default 3): one slow command is a miss, not an outage. */
  failureThreshold?: number;
  /** Longest wait for deletePrefix and for replaying invalidations, which may touch many keys (default 5 s). */
  bulkTimeoutMs?: number;
  /** While degraded, at most one recovery attempt per this interval, started by an incoming call (default 1 s). */
  probeIntervalMs?: number;
  /**
   * How long after an outage began an invalidation that could not be applied waits for its replay before
   * returning with it queued (default 3 s): a revocation normally returns only once the store dropped the entry.
   */
  invalidationWaitMs?: number;
  /** Failed invalidations remembered for replay; past this the whole namespace is flushed on recovery (default 10 000). */
  maxPendingInvalidations?: number;
  /** What "the whole namespace" is for that flush: deletePrefix(flushPrefix) on the inner store (default ''). */
  flushPrefix?: string;
  /**
   * The inner store already fails a single operation after timeoutMs (ioredis `commandTimeout`), so
   * single-command operations skip our own deadline: on the hot read path that saves a wrapper per call.
   */
  innerEnforcesTimeout?: boolean;
}
