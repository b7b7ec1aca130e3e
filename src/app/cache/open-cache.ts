import { MemoryCache, type MemoryCacheOptions } from '../../adapters/cache/memory/memory-cache.js';
import { envValue, type Env } from '../env.js';
import { RedisCache } from '../../adapters/cache/redis/redis-cache.js';
import type { RedisClientLike } from '../../adapters/cache/redis/redis-connection.js';
import { isRedisUrl, redisConnectionFromUrl } from '../../adapters/cache/redis/redis-url.js';
import { ResilientCache } from '../../adapters/cache/resilient/resilient-cache.js';
import { ConfigError } from '../../domain/errors.js';
import type { CacheStore } from '../../ports/cache.js';
import type { Logger } from '../../ports/system.js';
import { cacheKeys } from './cache-codec.js';
import type { LocalTierSettings } from './local-tier.js';
import type { RecordCacheSettings } from './record-cache.js';

/**
 * A cache for the facades: `'memory'`, a Redis URL (`redis://`, `rediss://`, `redis+cluster://h1:p1,h2:p2`,
 * `redis+sentinel://h1:p1,h2:p2/mastername`, `rediss+…` for TLS; see redis-url.ts), or any CacheStore.
 */
export type CacheTarget =
  | 'memory'
  | `redis://${string}`
  | `rediss://${string}`
  | `redis+cluster://${string}`
  | `rediss+cluster://${string}`
  | `redis+sentinel://${string}`
  | `rediss+sentinel://${string}`
  // Any string, as the environment gives it (process.env.REDIS_URL), checked when the cache opens.
  | (string & Record<never, never>)
  | CacheStore
  | RedisClientLike;

/** An ioredis `Redis` or `Cluster` the caller made (and keeps: closing the facade leaves it connected). */
function isIoredisClient(value: unknown): value is RedisClientLike {
  if (typeof value !== 'object' || value === null) return false;
  const client = value as Record<string, unknown>;
  return (
    typeof client.status === 'string' &&
    ['sendCommand', 'duplicate', 'disconnect'].every((name) => typeof client[name] === 'function')
  );
}

export interface CacheSettings extends RecordCacheSettings {
  /**
   * Per-deployment secret (at least 16 bytes, the same in every process) that authenticates cache entries;
   * else AUTHKEEP_CACHE_SECRET, the token pepper or the keyring. A Redis cache refuses to start without one.
   */
  secret?: string;
  /** Per-operation budget of a Redis (or caller-given) store before a read counts as a miss (default 250 ms). */
  timeoutMs?: number;
  /** Consecutive failed operations that make an outage, rather than one slow command (default 3). */
  failureThreshold?: number;
  /** While the store is down, how often a call may probe for its return (default 1 s). */
  probeIntervalMs?: number;
  /** How long a revocation that could not reach Redis waits for its replay before returning queued (default 3 s). */
  invalidationWaitMs?: number;
  /** Key prefix in Redis (default `authkeep:`). */
  namespace?: string;
  /** Bounds of the memory cache (and of the in-process tier in front of Redis). */
  memory?: MemoryCacheOptions;
  /**
   * With a Redis cache: also keep an in-process tier (bounded LRU) in front of it, kept coherent across
   * processes by Redis pub/sub (default false). `cache: 'memory'` is that tier alone.
   */
  local?: boolean | LocalTierSettings;
  /**
   * The invalidation bus of in-process tiers: 'auto' (default) is Redis pub/sub with Redis, PostgreSQL
   * LISTEN/NOTIFY on PostgreSQL, and none on SQLite; 'off' makes the in-process tier single-process only.
   */
  bus?: 'auto' | 'off';
}

const DEFAULT_TIMEOUT_MS = 250;

export interface OpenedCache {
  store: CacheStore;
  /** The Redis store inside, when there is one (its client carries the invalidation bus). */
  redis?: RedisCache;
  /** Whether the facade made this store and so closes it; a store the caller passed stays open. */
  owned: boolean;
}

function resilient(
  store: CacheStore,
  settings: CacheSettings,
  logger: Logger,
  innerEnforcesTimeout = false,
): ResilientCache {
  return new ResilientCache(store, {
    innerEnforcesTimeout,
    logger,
    timeoutMs: settings.timeoutMs,
    failureThreshold: settings.failureThreshold,
    probeIntervalMs: settings.probeIntervalMs,
    invalidationWaitMs: settings.invalidationWaitMs,
    // An overflowing outage flushes our keys only: the store may be shared with others.
    flushPrefix: cacheKeys.all,
  });
}

/**
 * Opens the cache a facade was configured with. Redis and caller-given stores are wrapped so that an
 * outage degrades to database reads instead of errors; the in-process memory cache cannot go down.
 */
export function openCache(target: CacheTarget, settings: CacheSettings, logger: Logger): OpenedCache {
  if (target === 'memory') return { store: new MemoryCache(settings.memory), owned: true };
  if (typeof target === 'string') {
    if (!isRedisUrl(target)) {
      throw new ConfigError(
        `unsupported cache "${target.slice(0, target.indexOf(':') + 1) || 'value'}"; use 'memory', redis://, rediss://, redis+cluster:// or redis+sentinel://`,
      );
    }
    // lazyConnect: an adapter that is built but never used opens no socket.
    // ioredis enforces the per-command budget itself (commandTimeout): no wrapper per read. A Cluster
    // queues commands before it knows its slots, outside that budget, so there the wrapper enforces it.
    const connection = redisConnectionFromUrl(target, {
      lazyConnect: true,
      commandTimeout: settings.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    });
    const redis = new RedisCache(connection, { namespace: settings.namespace, logger });
    return { store: resilient(redis, settings, logger, !('cluster' in connection)), redis, owned: true };
  }
  if (isIoredisClient(target)) {
    // The caller's client may have no command timeout of its own: the wrapper enforces the budget.
    const redis = new RedisCache({ client: target }, { namespace: settings.namespace, logger });
    return { store: resilient(redis, settings, logger), owned: true };
  }
  if (!isCacheStore(target)) {
    throw new ConfigError(
      'cache must be "memory", a redis:// URL, an ioredis client or a CacheStore (with compareAndSet)',
    );
  }
  const store =
    target instanceof MemoryCache || target instanceof ResilientCache
      ? target
      : resilient(target, settings, logger);
  return target instanceof RedisCache ? { store, redis: target, owned: false } : { store, owned: false };
}

function isCacheStore(value: unknown): value is CacheStore {
  if (typeof value !== 'object' || value === null) return false;
  const methods = [
    'get',
    'set',
    'setIfAbsent',
    'delete',
    'take',
    'deletePrefix',
    'update',
    'compareAndSet',
    'close',
  ];
  return methods.every((name) => typeof (value as Record<string, unknown>)[name] === 'function');
}

/** The configured cache, else AUTHKEEP_REDIS_URL, else none. */
export function resolveCacheTarget(
  cache: CacheTarget | undefined,
  env: Env = process.env,
): CacheTarget | undefined {
  if (cache !== undefined) return cache;
  // openCache checks the scheme; the value may carry a password, so it is never echoed whole.
  return envValue(env, 'AUTHKEEP_REDIS_URL') as CacheTarget | undefined;
}
