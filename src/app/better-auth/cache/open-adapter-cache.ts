import { splitPoolerFlag } from '../../../adapters/kysely/connection/pooler.js';
import type { SqlStore } from '../../../adapters/kysely/index.js';
import { pgNotifier } from '../../../adapters/kysely/notify.js';
import { systemClock } from '../../../adapters/system/clock.js';
import { ConfigError } from '../../../domain/errors.js';
import type { Clock, Logger } from '../../../ports/system.js';
import { openKitiumCache, type KitiumCache } from '../../cache/kitium-cache.js';
import type { CacheSettings, CacheTarget } from '../../cache/open-cache.js';
import type { ConnectionOptions } from '../../open-database.js';

type BusConnection = Pick<ConnectionOptions, 'directUrl' | 'pooler' | 'schema'>;

export interface AdapterCacheOptions {
  /** `'memory'` (in-process, kept coherent across processes by LISTEN/NOTIFY on PostgreSQL), a Redis URL, or a CacheStore. */
  cache?: CacheTarget;
  cacheOptions?: CacheSettings;
  clock?: Clock;
}

/** The URL the bus may LISTEN on: directUrl, else the database URL unless it goes through a pooler. */
function busUrl(database: unknown, connection: BusConnection): string | undefined {
  if (typeof connection.directUrl === 'string' && connection.directUrl !== '') return connection.directUrl;
  if (typeof database !== 'string') return undefined;
  const { url, pooler } = splitPoolerFlag(database);
  return (connection.pooler ?? pooler) ? undefined : url;
}

/** authkeep's cache tiers (the kitium facades' own: same guarantees, same bus) for the adapter, or none. */
export function openAdapterCache(
  options: AdapterCacheOptions,
  store: SqlStore,
  database: unknown,
  connection: BusConnection,
  logger: Logger,
): KitiumCache | undefined {
  if (options.cache === undefined) return undefined;
  const postgres = store.dialect === 'postgres';
  const url = postgres ? busUrl(database, connection) : undefined;
  if (postgres && url === undefined && options.cache === 'memory' && options.cacheOptions?.bus !== 'off') {
    throw new ConfigError(
      "cache: 'memory' keeps processes coherent with LISTEN/NOTIFY, which needs a direct connection: " +
        "set directUrl (behind a transaction pooler or with your own pool), or cacheOptions.bus: 'off'",
    );
  }
  return openKitiumCache(
    { cache: options.cache, cacheOptions: options.cacheOptions },
    logger,
    options.clock ?? systemClock,
    {
      postgres: url === undefined ? undefined : { url, schema: connection.schema },
      notify: postgres ? pgNotifier(store) : undefined,
    },
  );
}
