import { MemoryCache, type MemoryCacheOptions } from '../../adapters/cache/memory/memory-cache.js';
import { RedisCache } from '../../adapters/cache/redis/redis-cache.js';
import { redisConnectionFromUrl } from '../../adapters/cache/redis/redis-url.js';
import { PasskeySql } from '../../adapters/kysely/passkey/index.js';
import {
  openPostgres,
  openSqlite,
  type PostgresConnectionOptions,
  type SqliteConnectionOptions,
} from '../../adapters/kysely/index.js';
import { defaultLogger } from '../env.js';
import type { RedisClientLike } from '../../adapters/cache/redis/redis-connection.js';
import { ConfigError } from '../../domain/errors.js';
import {
  handleDialect,
  isDatabaseHandle,
  openDatabaseHandle,
  type DatabaseHandle,
} from '../database-handle.js';
import { systemClock } from '../../adapters/system/clock.js';
import { maskUrlPassword } from '../../domain/masking.js';
import type { CacheStore } from '../../ports/cache.js';
import type { Clock, Logger } from '../../ports/system.js';
import { PasskeyCacheStore } from './cache-store.js';
import { PasskeyDataStore } from './data-store.js';
import { resolvePasskeyConfig, type PasskeyConfig, type PasskeyConfigOverrides } from './env-config.js';
import { maskUnixRedisUrl, unixRedisConnection, isCrateUnixRedisUrl } from './redis-target.js';
import { PasskeySessionCache } from './session-cache.js';
import { logDatabaseChoice } from '../database-location.js';

export interface CreatePasskeyStoresOptions extends PasskeyConfigOverrides {
  /** Where the crate's variables are read from (default process.env). */
  env?: Record<string, string | undefined>;
  logger?: Logger;
  clock?: Clock;
  /**
   * Your own connection (`pg.Pool`, `Kysely`, better-sqlite3 `Database`) instead of GENERIC_DATA_STORE_*;
   * close() leaves it open.
   */
  database?: DatabaseHandle;
  /** Your own ioredis client for the cache instead of GENERIC_CACHE_STORE_*; close() leaves it open. */
  redisClient?: RedisClientLike;
  /** Pool and connection settings for PostgreSQL (e.g. `schema`, `max`). */
  postgres?: PostgresConnectionOptions;
  /** SQLite settings; the busy timeout defaults to the crate's 30 s. */
  sqlite?: SqliteConnectionOptions;
  /** Bounds of the memory cache (the crate's is unbounded; ours defaults to 100 000 entries / 128 MiB). */
  memoryCache?: MemoryCacheOptions;
  /** A cache you built (a RedisCache on a Cluster, say); GENERIC_CACHE_STORE_* are then not read. */
  cacheStore?: CacheStore;
  /**
   * ioredis `RedisOptions` for GENERIC_CACHE_STORE_TYPE=redis, over the defaults (commandTimeout 2000 ms,
   * connectTimeout 5000 ms, 2 retries per command): every cache call has a deadline.
   */
  redisOptions?: object;
}

export interface PasskeyStores {
  data: PasskeyDataStore;
  cache: PasskeyCacheStore;
  sessions: PasskeySessionCache;
  config: PasskeyConfig;
  close(): Promise<void>;
}

function openCache(config: PasskeyConfig, options: CreatePasskeyStoresOptions, logger: Logger): CacheStore {
  if (options.cacheStore) return options.cacheStore;
  if (options.redisClient) return new RedisCache({ client: options.redisClient }, { namespace: '', logger });
  if (config.cache?.type === 'redis') {
    const defaults = (options.redisOptions ?? {}) as Record<string, unknown>;
    const { url } = config.cache;
    // No namespace: the crate's keys are `cache:{prefix}:{key}` at the top of the keyspace.
    return new RedisCache(
      isCrateUnixRedisUrl(url) ? unixRedisConnection(url, defaults) : redisConnectionFromUrl(url, defaults),
      { namespace: '', logger },
    );
  }
  return new MemoryCache({ maxEntries: 100_000, maxBytes: 128 * 1024 * 1024, ...options.memoryCache });
}

function isRedisBacked(config: PasskeyConfig, options: CreatePasskeyStoresOptions): boolean {
  if (options.cacheStore) return options.cacheStore instanceof RedisCache;
  return options.redisClient !== undefined || config.cache?.type === 'redis';
}

/**
 * The oauth2-passkey data and cache stores, configured the crate's way (GENERIC_DATA_STORE_TYPE/URL,
 * GENERIC_CACHE_STORE_TYPE/URL, DB_TABLE_*, O2P_*), with explicit options taking precedence.
 * Nothing connects until first use; `data.init()` creates or checks the tables.
 */
function shownConfig(config: PasskeyConfig): PasskeyConfig {
  const data = 'url' in config.data ? { ...config.data, url: maskUrlPassword(config.data.url) } : config.data;
  const cache =
    config.cache?.type === 'redis'
      ? { ...config.cache, url: maskUnixRedisUrl(maskUrlPassword(config.cache.url)) }
      : config.cache;
  return { ...config, data, cache };
}

export function createPasskeyStores(options: CreatePasskeyStoresOptions = {}): PasskeyStores {
  const { database } = options;
  if (database !== undefined && !isDatabaseHandle(database)) {
    throw new ConfigError('database must be a pg.Pool, a Kysely instance or a better-sqlite3 Database');
  }
  const logger = options.logger ?? defaultLogger(options.env);
  const config = resolvePasskeyConfig(options, options.env ?? process.env, {
    cache: !options.cacheStore && !options.redisClient,
    ...(database ? { borrowed: handleDialect(database) } : {}),
    warn: (message, details) => logger.warn(details, message),
  });
  const clock = options.clock ?? systemClock;
  const { data: target } = config;
  const store =
    'borrowed' in target
      ? openDatabaseHandle(database!, options.postgres ?? {}, logger)
      : target.type === 'postgres'
        ? openPostgres(target.url, options.postgres ?? {}, logger)
        : openSqlite(target.path, { busyTimeoutMs: 30_000, ...options.sqlite }, logger);
  logDatabaseChoice(
    logger,
    'borrowed' in target ? database : target.type === 'postgres' ? target.url : target.path,
    'createPasskeyStores',
  );
  let cacheStore: CacheStore;
  try {
    cacheStore = openCache(config, options, logger);
  } catch (error) {
    void store.close();
    throw error;
  }
  const data = new PasskeyDataStore(new PasskeySql(store, config.tables, clock), {
    logger,
    loginHistoryRetentionDays: config.loginHistoryRetentionDays,
    demoMode: config.demoMode,
  });
  // TTL 0 as the crate's own stores treat it: Redis EXPIRE 0 deletes the key, its memory store keeps it.
  const cache = new PasskeyCacheStore(cacheStore, {
    zeroTtl: isRedisBacked(config, options) ? 'delete' : 'keep',
    logger,
  });
  return {
    data,
    cache,
    sessions: new PasskeySessionCache(cache, clock, config.sessionTtlSeconds, config.sessionConflictPolicy),
    // What was configured, for display: URLs keep their host and path, never their password.
    config: shownConfig(config),
    async close() {
      const results = await Promise.allSettled([data.close(), cache.close()]);
      const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
      if (failed) throw failed.reason;
    },
  };
}
