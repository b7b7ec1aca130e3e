import {
  openPostgres,
  openSqlite,
  type PostgresConnectionOptions,
  type SqliteConnectionOptions,
} from '../../adapters/kysely/index.js';
import { ConfigError } from '../../domain/errors.js';
import { defaultLogger } from '../env.js';
import { resolveCipher } from './cipher-option.js';
import { KitiumStorageAdapter, type KitiumAdapterOptions } from './kitium-adapter.js';

export interface PostgresStorageAdapterOptions extends PostgresConnectionOptions, KitiumAdapterOptions {}
export interface SqliteStorageAdapterOptions extends SqliteConnectionOptions, KitiumAdapterOptions {}

/** Drop-in for @kitiumai/auth-postgres's PostgresStorageAdapter: `new PostgresStorageAdapter(url, options)`. */
export class PostgresStorageAdapter extends KitiumStorageAdapter {
  constructor(connectionString: string, options: PostgresStorageAdapterOptions = {}) {
    if (typeof connectionString !== 'string' || connectionString.length === 0) {
      throw new ConfigError('a PostgreSQL connection string is required');
    }
    const { tokenPepper, clock, cache, cacheOptions, cacheBusDatabase, migrations, env, ...rest } = options;
    const {
      logger = defaultLogger(env),
      cipher: cipherOption,
      encryptionKeys,
      upstreamTimeZone,
      ...connection
    } = rest;
    // Keys are checked before the pool opens, so a bad key leaks no connection.
    const cipher = resolveCipher({ cipher: cipherOption, encryptionKeys }, env);
    // LISTEN for the cache's invalidation bus needs a direct connection, never a transaction pooler.
    const direct = (connection as { directUrl?: unknown }).directUrl;
    const busUrl = typeof direct === 'string' && direct !== '' ? direct : connectionString;
    super(openPostgres(connectionString, connection, logger), {
      logger,
      tokenPepper,
      clock,
      cache,
      cacheOptions,
      cacheBusDatabase: cacheBusDatabase ?? { url: busUrl, schema: connection.schema },
      cipher,
      upstreamTimeZone,
      ...(migrations !== undefined ? { migrations } : {}),
    });
  }
}

/** Turns `':memory:'`, a file path or a `sqlite:` URL into what better-sqlite3 opens. */
export function sqlitePath(target: string): string {
  if (!target.startsWith('sqlite:')) return target;
  let rest = target.slice('sqlite:'.length);
  if (rest.startsWith('//')) rest = rest.slice(2);
  const query = rest.indexOf('?');
  if (query >= 0) rest = rest.slice(0, query);
  return decodeURIComponent(rest);
}

/** The same StorageAdapter on SQLite: `':memory:'`, a file path or a `sqlite:` URL (WAL mode for files). */
export class SqliteStorageAdapter extends KitiumStorageAdapter {
  constructor(target: string = ':memory:', options: SqliteStorageAdapterOptions = {}) {
    if (typeof target !== 'string') throw new ConfigError('the SQLite target must be a string');
    const { tokenPepper, clock, cache, cacheOptions, migrations, env, ...rest } = options;
    const {
      logger = defaultLogger(env),
      cipher: cipherOption,
      encryptionKeys,
      upstreamTimeZone,
      ...connection
    } = rest;
    // Keys are checked before the file opens, so a bad key leaks no handle.
    const cipher = resolveCipher({ cipher: cipherOption, encryptionKeys }, env);
    super(openSqlite(sqlitePath(target), connection, logger), {
      logger,
      tokenPepper,
      clock,
      cache,
      cacheOptions,
      cipher,
      upstreamTimeZone,
      ...(migrations !== undefined ? { migrations } : {}),
    });
  }
}
