import type { Logger } from '../../ports/system.js';
import type { ConnectionOptions, DatabaseTarget } from '../open-database.js';
import type { AdapterCacheOptions } from './cache/open-adapter-cache.js';
import type { SecretsOptions } from './secrets/session-secrets.js';

/** What `authkeepAdapter` and `migrateBetterAuth` take besides the connection settings. */
/** pg's own `database` (a name) and `options` (startup text) give way to the facade's. */
export interface BetterAuthDatabaseOptions extends Omit<ConnectionOptions, 'database' | 'options'> {
  /**
   * A PostgreSQL URL, a `sqlite:` URL or path, `:memory:`, an open SqlStore, or your own `pg.Pool`,
   * `Kysely` or better-sqlite3 `Database` (never closed for you).
   */
  database: DatabaseTarget;
  logger?: Logger;
}

export interface AuthkeepAdapterOptions
  extends BetterAuthDatabaseOptions, AdapterCacheOptions, SecretsOptions {
  /** Plural table names (`users`, `sessions`…), as better-auth's own `usePlural`. */
  usePlural?: boolean;
  /** better-auth's adapter debug logs. */
  debugLogs?: boolean;
}

const OWN_KEYS = [
  'database',
  'logger',
  'usePlural',
  'debugLogs',
  'options',
  'cache',
  'cacheOptions',
  'clock',
  'hashSessionTokens',
  'sealOAuthTokens',
  'cipher',
  'encryptionKeys',
] as const;

/** The connection settings alone (what is left once the facade's own options are taken out). */
export function connectionOptions(options: object): ConnectionOptions {
  const rest: Record<string, unknown> = { ...options };
  for (const key of OWN_KEYS) delete rest[key];
  for (const key of Object.keys(rest)) if (rest[key] === undefined) delete rest[key];
  return rest as ConnectionOptions;
}
