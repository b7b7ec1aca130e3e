import type { Clock, Logger } from '../../ports/system.js';
import type { ApiKeyRepo, SessionRepo, UserRepo } from '../../ports/repos.js';
import { CachedApiKeyRepo, CachedSessionRepo, RevokingUserRepo } from './cached-repos.js';
import { openCache, type CacheSettings, type CacheTarget } from './open-cache.js';
import { RecordCache } from './record-cache.js';

/** The cache options of the kitium facades. No cache unless one is named. */
export interface KitiumCacheOptions {
  /** `'memory'`, `redis://…`, `rediss://…` or a CacheStore (e.g. `new RedisCache({ cluster: [...] })`). */
  cache?: CacheTarget;
  cacheOptions?: CacheSettings;
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
  close(): Promise<void>;
}

export function openKitiumCache(
  options: KitiumCacheOptions,
  logger: Logger,
  clock: Clock,
): KitiumCache | undefined {
  if (options.cache === undefined) return undefined;
  const settings = options.cacheOptions ?? {};
  const opened = openCache(options.cache, settings, logger);
  const records = new RecordCache(opened.store, clock, settings);
  return {
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
