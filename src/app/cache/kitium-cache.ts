import { MemoryCache } from '../../adapters/cache/memory-cache.js';
import { ResilientCache } from '../../adapters/cache/resilient-cache.js';
import type { CipherPort } from '../../ports/cipher.js';
import type { Clock, Logger } from '../../ports/system.js';
import type { ApiKeyRepo, SessionRepo, UserRepo } from '../../ports/repos.js';
import { EntryCodec } from './cache-codec.js';
import { cacheMacKey } from './cache-secret.js';
import { CachedApiKeyRepo, CachedSessionRepo, RevokingUserRepo } from './cached-repos.js';
import { openCache, type CacheSettings, type CacheTarget } from './open-cache.js';
import { RecordCache } from './record-cache.js';

/** The cache options of the kitium facades. No cache unless one is named. */
export interface KitiumCacheOptions {
  /** `'memory'`, `redis://…`, `rediss://…` or a CacheStore (e.g. `new RedisCache({ cluster: [...] })`). */
  cache?: CacheTarget;
  cacheOptions?: CacheSettings;
}

/** Secret material the cache may derive its entry key from, when no cache secret is set. */
export interface CacheKeyMaterial {
  tokenPepper?: string | undefined;
  cipher?: CipherPort | undefined;
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
  readonly records: RecordCache;
  close(): Promise<void>;
}

export function openKitiumCache(
  options: KitiumCacheOptions,
  logger: Logger,
  clock: Clock,
  material: CacheKeyMaterial = {},
): KitiumCache | undefined {
  if (options.cache === undefined) return undefined;
  const settings = options.cacheOptions ?? {};
  const shared = !(options.cache === 'memory' || options.cache instanceof MemoryCache);
  // Checked before any connection opens: a shared cache without a secret is a config error.
  const macKey = cacheMacKey({ secret: settings.secret, ...material, shared });
  const opened = openCache(options.cache, settings, logger);
  const namespace = settings.namespace ?? 'authkeep:';
  const index = opened.store instanceof ResilientCache && opened.store.indexes ? opened.store : undefined;
  const records = new RecordCache(
    { store: opened.store, codec: new EntryCodec(macKey, namespace), clock, logger, index },
    settings,
  );
  return {
    records,
    wrap: (repos) => ({
      ...repos,
      sessions: new CachedSessionRepo(repos.sessions, records),
      apiKeys: new CachedApiKeyRepo(repos.apiKeys, records),
      users: new RevokingUserRepo(repos.users, records),
    }),
    close: async () => {
      if (opened.owned) await opened.store.close();
    },
  };
}
