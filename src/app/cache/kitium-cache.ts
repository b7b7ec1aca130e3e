import type { Cluster, Redis } from 'ioredis';
import { createHash } from 'node:crypto';
import { MemoryCache, positiveInteger } from '../../adapters/cache/memory/memory-cache.js';
import { PgNotifyBus, type PgNotifier } from '../../adapters/cache/bus/pg-notify-bus.js';
import { RedisInvalidationBus } from '../../adapters/cache/bus/redis-bus.js';
import { isCluster } from '../../adapters/cache/redis/redis-connection.js';
import type { RedisCache } from '../../adapters/cache/redis/redis-cache.js';
import { ResilientCache } from '../../adapters/cache/resilient/resilient-cache.js';
import { ConfigError } from '../../domain/errors.js';
import type { CipherPort } from '../../ports/cipher.js';
import type { InvalidationBus } from '../../ports/invalidation-bus.js';
import type { Clock, Logger } from '../../ports/system.js';
import type { ApiKeyRepo, SessionRepo, UserRepo } from '../../ports/repos.js';
import { cacheKeys, EntryCodec } from './cache-codec.js';
import { cacheMacKey } from './cache-secret.js';
import { CachedApiKeyRepo, CachedSessionRepo, RevokingUserRepo } from './cached-repos.js';
import { LocalTier } from './local-tier.js';
import { openCache, type CacheSettings, type CacheTarget } from './open-cache.js';
import { RecordCache } from './record-cache.js';
import { TieredRecords, type RecordReadThrough } from './tiered-records.js';

/** The cache options of the kitium facades. No cache unless one is named. */
export interface KitiumCacheOptions {
  /** `'memory'`, `redis://…`, `rediss://…` or a CacheStore (e.g. `new RedisCache({ cluster: [...] })`). */
  cache?: CacheTarget;
  cacheOptions?: CacheSettings;
  /**
   * Where the PostgreSQL invalidation bus of `cache: 'memory'` listens: set by PostgresStorageAdapter to its
   * direct URL (LISTEN is session state: never through a transaction pooler).
   */
  cacheBusDatabase?: { url: string; schema?: string | undefined };
}

/** What the facade knows that the cache may use: secret material, and the database for the bus. */
export interface CacheContext {
  tokenPepper?: string | undefined;
  cipher?: CipherPort | undefined;
  /** The PostgreSQL database (a direct URL, never a transaction pooler) for LISTEN/NOTIFY. */
  postgres?: { url: string; schema?: string | undefined } | undefined;
  /** Sends NOTIFY through the facade's own pool, so a revocation's message does not depend on the LISTEN connection. */
  notify?: PgNotifier | undefined;
  /** Where AUTHKEEP_CACHE_SECRET is read from (default process.env). */
  env?: Record<string, string | undefined> | undefined;
}

/** The repositories a kitium cache sits in front of. */
export interface CacheableRepos {
  sessions: SessionRepo;
  apiKeys: ApiKeyRepo;
  users: UserRepo;
}

/** An opened facade cache: decorates repositories and is closed with the adapter. */
export interface KitiumCache {
  wrap<T extends CacheableRepos>(repos: T): T;
  readonly records: RecordReadThrough;
  /** Opens the invalidation bus now (the facade's connect()), so the first revocation does not wait for it. */
  start(): void;
  close(): Promise<void>;
}

export function openKitiumCache(
  options: KitiumCacheOptions,
  logger: Logger,
  clock: Clock,
  context: CacheContext = {},
): KitiumCache | undefined {
  const target = options.cache;
  if (target === undefined) return undefined;
  const settings = options.cacheOptions ?? {};
  const shared = !(target === 'memory' || target instanceof MemoryCache);
  // Checked before any connection opens: a shared cache without a secret is a config error.
  const macKey = cacheMacKey({ secret: settings.secret, ...context, shared }, context.env);
  const namespace = settings.namespace ?? 'authkeep:';
  const codec = new EntryCodec(macKey, namespace);
  const parts = { codec, clock, logger };
  const opened = openTiers(target, settings, parts, context, namespace);
  return {
    records: opened.records,
    wrap: (repos) => ({
      ...repos,
      sessions: new CachedSessionRepo(repos.sessions, opened.records),
      apiKeys: new CachedApiKeyRepo(repos.apiKeys, opened.records),
      users: new RevokingUserRepo(repos.users, opened.records),
    }),
    start: opened.start,
    close: opened.close,
  };
}

type Parts = { codec: EntryCodec; clock: Clock; logger: Logger };

function openTiers(
  target: CacheTarget,
  settings: CacheSettings,
  parts: Parts,
  context: CacheContext,
  namespace: string,
): { records: RecordReadThrough; start(): void; close(): Promise<void> } {
  const busOff = settings.bus === 'off';
  const bound =
    settings.revokeTimeoutMs === undefined
      ? undefined
      : positiveInteger(settings.revokeTimeoutMs, 'cacheOptions.revokeTimeoutMs');
  if (target === 'memory') {
    const bus = busOff || !context.postgres ? undefined : pgBus(context, namespace, parts.logger);
    const local = new LocalTier(parts, { ...settings, ...settings.memory }, bus);
    return {
      records: new TieredRecords(local, undefined, bound),
      start: () => local.start(),
      close: () => local.close(),
    };
  }
  const opened = openCache(target, settings, parts.logger);
  const index = opened.store instanceof ResilientCache && opened.store.indexes ? opened.store : undefined;
  const sharedRecords = new RecordCache({ ...parts, store: opened.store, index }, settings);
  const closeShared = async () => {
    if (opened.owned) await opened.store.close();
  };
  if (!settings.local) return { records: sharedRecords, start: () => undefined, close: closeShared };
  if (!busOff && opened.redis && isCluster(opened.redis.redisClient as Redis | Cluster)) {
    // Pub/sub on a Cluster is not ordered with the writes of other nodes' slots: no lease could be proved.
    void closeShared();
    throw new ConfigError(
      "an in-process tier (cacheOptions.local) is not supported on Redis Cluster: its pub/sub is not ordered with writes on other nodes; use the shared tier alone, or bus: 'off' in a single process",
    );
  }
  if (!busOff && !opened.redis) {
    throw new ConfigError(
      "an in-process tier in front of this store needs a Redis bus: use a RedisCache, or bus: 'off'",
    );
  }
  const channel = busOff ? undefined : redisChannel(namespace);
  const bus = channel === undefined ? undefined : redisBus(opened.redis!, channel, parts.logger);
  const localSettings = typeof settings.local === 'object' ? settings.local : {};
  const local = new LocalTier(parts, { ...settings, ...settings.memory, ...localSettings }, bus);
  // The bus publishes on the shared tier's own Redis: a revocation's DEL and PUBLISH go in one script.
  const sameRedis = opened.redis ? channel : undefined;
  return {
    records: new TieredRecords(local, sharedRecords, bound, sameRedis),
    start: () => local.start(),
    close: async () => {
      await local.close();
      await closeShared();
    },
  };
}

function redisChannel(namespace: string): string {
  return `${namespace}${cacheKeys.all}bus`;
}

function redisBus(redis: RedisCache, channel: string, logger: Logger): InvalidationBus {
  return new RedisInvalidationBus(redis.redisClient as Redis | Cluster, channel, logger);
}

/** One channel per namespace and schema: NOTIFY is database-wide, and schemas are separate deployments. */
function pgBus(context: CacheContext, namespace: string, logger: Logger): InvalidationBus {
  const postgres = context.postgres!;
  const scope = createHash('sha256')
    .update(`${namespace}\0${postgres.schema ?? ''}`)
    .digest('hex');
  return new PgNotifyBus({
    url: postgres.url,
    channel: `authkeep_cache_${scope.slice(0, 24)}`,
    logger,
    notify: context.notify,
  });
}
