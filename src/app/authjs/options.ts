import type { PgNotifier } from '../../adapters/cache/bus/pg-notify-bus.js';
import { pgNotifier } from '../../adapters/kysely/notify.js';
import {
  KyselyAuthjsStore,
  AUTHJS_LAYOUTS,
  type AuthjsLayoutName,
} from '../../adapters/kysely/authjs/index.js';
import { uuidV7Ids } from '../../adapters/crypto/random/id-generator.js';
import { ConfigError } from '../../domain/errors.js';
import type { Clock, Logger } from '../../ports/system.js';
import type { CacheSettings, CacheTarget } from '../cache/open-cache.js';
import { defaultLogger, type Env } from '../env.js';
import { resolveCipher, type KitiumCipherOptions } from '../kitium/cipher-option.js';
import { openDatabase, type ConnectionOptions, type DatabaseTarget } from '../open-database.js';
import { databaseKind } from '../config.js';
import { splitPoolerFlag } from '../../adapters/kysely/connection/pooler.js';
import type { CipherPort } from '../../ports/cipher.js';

/** Where the Auth.js tables are and how they are named; shared by authkeepAdapter and migrateAuthjs. */
export interface AuthjsDatabaseOptions extends Omit<ConnectionOptions, 'database'> {
  /**
   * A URL (`postgres://…`, `sqlite:./auth.db`, `:memory:`), an open SqlStore, or your own `pg.Pool`,
   * `Kysely` or better-sqlite3 `Database` (never closed for you).
   */
  database: DatabaseTarget;
  /**
   * The table layout: `'pg-adapter'` (default) is @auth/pg-adapter's schema.sql (`users`, `accounts`,
   * `sessions`, `verification_token`, SERIAL ids); `'kysely-adapter'` is @auth/kysely-adapter's documented
   * schema (`User`, `Account`, `Session`, `VerificationToken`, uuid ids). Both add `authenticators`
   * (`Authenticator`) for WebAuthn.
   */
  tables?: AuthjsLayoutName;
  /**
   * Store session tokens as their lowercase hex SHA-256 in "sessionToken" (default false: stored as given,
   * a drop-in). Turn on with `migrateAuthjs({ hashSessionTokens: true })`, which converts existing rows.
   */
  hashSessionTokens?: boolean;
  logger?: Logger;
  /** Where AUTHKEEP_* variables are read from (default process.env). */
  env?: Env;
}

export interface AuthkeepAdapterOptions extends AuthjsDatabaseOptions, KitiumCipherOptions {
  /**
   * Seal `access_token`, `refresh_token` and `id_token` on accounts with the keyring (`encryptionKeys`,
   * `cipher` or AUTHKEEP_ENCRYPTION_KEYS) before they are stored (default false). Sealed and clear values
   * are both read, so this may be turned on for a database that already has rows.
   */
  sealAccountTokens?: boolean;
  /** `'memory'`, a Redis URL or client, or a CacheStore: getSessionAndUser is then served from it. */
  cache?: CacheTarget;
  cacheOptions?: CacheSettings;
  clock?: Clock;
}

const OWN_KEYS = [
  'database',
  'tables',
  'hashSessionTokens',
  'logger',
  'env',
  'sealAccountTokens',
  'cache',
  'cacheOptions',
  'clock',
  'cipher',
  'encryptionKeys',
] as const;

export interface OpenedAuthjs {
  store: KyselyAuthjsStore;
  dialect: 'postgres' | 'sqlite';
  layoutTables: Record<string, string>;
  logger: Logger;
  /** The PostgreSQL database for the in-process tier's LISTEN/NOTIFY bus, when we opened it from a URL. */
  postgres?: { url: string; schema?: string | undefined };
  /** Sends a NOTIFY through the adapter's own pool, so a revocation's message never waits on the LISTEN connection. */
  notify?: PgNotifier;
}

/** Opens the database of an Auth.js facade (nothing connects until the first statement). */
export function openAuthjsStore(options: AuthjsDatabaseOptions): OpenedAuthjs {
  if (typeof options !== 'object' || options === null) {
    throw new ConfigError('options with a database are required');
  }
  const layoutName = options.tables ?? 'pg-adapter';
  if (!Object.hasOwn(AUTHJS_LAYOUTS, layoutName)) {
    throw new ConfigError(`tables must be 'pg-adapter' or 'kysely-adapter'`);
  }
  const layout = AUTHJS_LAYOUTS[layoutName];
  const logger = options.logger ?? defaultLogger(options.env);
  const connection: Record<string, unknown> = { ...options };
  for (const key of OWN_KEYS) delete connection[key];
  const opened = openDatabase(options.database, connection as ConnectionOptions, logger, 'authkeepAdapter');
  const store = new KyselyAuthjsStore(opened.store, layout, uuidV7Ids, async () => {
    if (opened.owned) await opened.store.close();
  });
  const postgres = opened.store.dialect === 'postgres' ? busDatabase(options) : undefined;
  return {
    dialect: opened.store.dialect,
    store,
    layoutTables: layout.tables,
    logger,
    ...(postgres ? { postgres } : {}),
    ...(opened.store.dialect === 'postgres' ? { notify: pgNotifier(opened.store) } : {}),
  };
}

/** LISTEN needs a direct connection (never a transaction pooler): directUrl, else the URL without a pooler. */
function busDatabase(options: AuthjsDatabaseOptions): OpenedAuthjs['postgres'] {
  const { database, directUrl, schema } = options;
  if (typeof directUrl === 'string' && directUrl !== '') return { url: directUrl, schema };
  if (typeof database !== 'string' || databaseKind(database) !== 'postgres') return undefined;
  const { url, pooler } = splitPoolerFlag(database);
  return (options.pooler ?? pooler) ? undefined : { url, schema };
}

export function authjsCipher(options: AuthkeepAdapterOptions): CipherPort {
  return resolveCipher(options, options.env ?? process.env);
}
