import type { BetterAuthOptions } from 'better-auth/types';
import { silentLogger } from '../../adapters/log/pino-logger.js';
import { ConfigError, ValidationError } from '../../domain/errors.js';
import type { Logger } from '../../ports/system.js';
import { cacheMacKey } from '../cache/cache-secret.js';
import { EntrySeal } from './secondary/entry-seal.js';
import { openSecondaryStore, type SecondaryTarget } from './secondary/open-secondary-store.js';
import { SeenVersions } from './secondary/seen-versions.js';

export type { SecondaryTarget } from './secondary/open-secondary-store.js';

/** better-auth's `SecondaryStorage` (from `@better-auth/core`, through better-auth's own types). */
export type BetterAuthSecondaryStorage = NonNullable<BetterAuthOptions['secondaryStorage']>;

export interface AuthkeepSecondaryStorageOptions {
  /**
   * `'memory'` (this process only), a Redis URL, your ioredis `Redis`/`Cluster` (left open on close), or a
   * SecondaryStore of your own (left open too).
   */
  cache: SecondaryTarget;
  /**
   * Authenticates every value (at least 16 bytes, the same in every process); else AUTHKEEP_CACHE_SECRET.
   * Required with Redis; the memory store uses a random per-process key without one.
   */
  secret?: string;
  /** Key prefix in Redis (default `authkeep:ba:`); no braces. */
  namespace?: string;
  /**
   * How long a delete keeps refusing writes of values read before it (default 600 s): a write whose value took
   * longer than this to compute is no longer checked.
   */
  tombstoneSeconds?: number;
  /** Per-command deadline of a Redis client made from a URL (default ioredis settings of authkeep: 2 s). */
  timeoutMs?: number;
  /** Bound of the memory store: values, and counters, each (default 100 000); past it new keys are refused, never evicted. */
  maxEntries?: number;
  /** How many keys the process remembers for calls made outside a better-auth endpoint (default 10 000). */
  maxRemembered?: number;
  logger?: Logger;
}

export interface AuthkeepSecondaryStorage extends BetterAuthSecondaryStorage {
  get(key: string): Promise<string | null>;
  set(key: string, value: string, ttl?: number): Promise<void>;
  delete(key: string): Promise<void>;
  getAndDelete(key: string): Promise<string | null>;
  increment(key: string, ttl: number): Promise<number>;
  /** Values refused because they did not authenticate, and writes refused because a delete came after their read. */
  stats(): { forgedEntries: number; refusedWrites: number };
  /** Closes the store (a Redis client made from a URL; your own client stays open). */
  close(): Promise<void>;
}

const DEFAULT_TOMBSTONE_SECONDS = 600;

/**
 * better-auth's per-user session index (better-auth 1.7.25 dist/db/internal-adapter.mjs: `active-sessions-${userId}`,
 * deleted when it lists no live session). Its delete means "empty", not "revoked": a sign-in that read it before
 * must still add its session, and a stale index only lists tokens whose own keys decide. Never refused.
 */
const isSessionIndex = (key: string) => key.startsWith('active-sessions-');

/**
 * better-auth's `SecondaryStorage` on authkeep's memory or Redis store. Values are authenticated (a forged or
 * moved entry is a miss); `set` is refused when the key was deleted after the caller's flow last read it, so a
 * value computed before a revocation never brings the key back; `getAndDelete` and `increment` are atomic.
 * Every method is a bound function: better-auth calls `increment` detached from the object.
 */
export function authkeepSecondaryStorage(options: AuthkeepSecondaryStorageOptions): AuthkeepSecondaryStorage {
  const logger = options.logger ?? silentLogger;
  const namespace = options.namespace ?? 'authkeep:ba:';
  const tombstoneSeconds = options.tombstoneSeconds ?? DEFAULT_TOMBSTONE_SECONDS;
  if (!Number.isFinite(tombstoneSeconds) || tombstoneSeconds <= 0) {
    throw new ConfigError('secondary storage tombstoneSeconds must be a finite number above 0');
  }
  const tombstoneMs = Math.ceil(tombstoneSeconds * 1000);
  const { store, shared, owned } = openSecondaryStore(options.cache, {
    namespace,
    tombstoneMs,
    timeoutMs: options.timeoutMs,
    maxEntries: options.maxEntries,
    logger,
  });
  const seal = new EntrySeal(cacheMacKey({ secret: options.secret, shared }), namespace);
  const seen = new SeenVersions(options.maxRemembered ?? 10_000);
  let forgedEntries = 0;
  let refusedWrites = 0;

  const open = (key: string, raw: string | null): string | null => {
    if (raw === null) return null;
    const value = seal.open(key, raw, Date.now());
    if (value === null && (forgedEntries += 1) === 1) {
      logger.warn(
        {},
        'secondary storage entry failed authentication (forged, moved, expired or another secret): a miss',
      );
    }
    return value;
  };

  return {
    async get(key) {
      const read = await store.read(checkKey(key));
      seen.set(key, read.version);
      return open(key, read.value);
    },
    async set(key, value, ttl) {
      checkKey(key);
      if (typeof value !== 'string') throw invalid('value', 'secondary storage values are strings');
      const ttlMs = ttl === undefined ? 0 : seconds(ttl, 'ttl', false);
      const sealed = seal.seal(key, value, ttlMs > 0 ? Date.now() + ttlMs : 0);
      const version = await store.write(key, sealed, ttlMs, isSessionIndex(key) ? undefined : seen.get(key));
      if (version === null) {
        refusedWrites += 1;
        logger.debug({}, 'secondary storage write refused: the key was deleted after this flow read it');
        return;
      }
      seen.set(key, version);
    },
    async delete(key) {
      seen.set(key, await store.delete(checkKey(key)));
    },
    async getAndDelete(key) {
      const taken = await store.take(checkKey(key));
      seen.set(key, taken.version);
      return open(key, taken.value);
    },
    async increment(key, ttl) {
      const ttlMs = seconds(ttl, 'ttl', true);
      return store.increment(checkKey(key), ttlMs);
    },
    stats: () => ({ forgedEntries, refusedWrites }),
    close: async () => {
      if (owned) await store.close();
    },
  };
}

function checkKey(key: unknown): string {
  if (typeof key !== 'string' || key === '')
    throw invalid('key', 'secondary storage keys are non-empty strings');
  return key;
}

/** Seconds (whole or not) to whole milliseconds; `positive` refuses 0. */
function seconds(value: unknown, field: string, positive: boolean): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || (positive && value === 0)) {
    throw invalid(
      field,
      `${field} must be a finite number of seconds${positive ? ' above 0' : ', 0 or more'}`,
    );
  }
  return Math.ceil(value * 1000);
}

function invalid(field: string, message: string): ValidationError {
  return new ValidationError(message, { details: { field } });
}
