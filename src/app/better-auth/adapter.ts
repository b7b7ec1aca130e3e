import { createAdapterFactory, type AdapterFactoryConfig } from 'better-auth/adapters';
import type { BetterAuthOptions, DBAdapter } from 'better-auth/types';
import { KyselyModelStore } from '../../adapters/kysely/model-store/index.js';
import type { SqlStore } from '../../adapters/kysely/index.js';
import { ConfigError } from '../../domain/errors.js';
import type { ModelStore } from '../../ports/model-store.js';
import { defaultLogger } from '../env.js';
import { openDatabase } from '../open-database.js';
import { cachePlan } from './cache/cache-plan.js';
import { CachedModelStore } from './cache/cached-model-store.js';
import { openAdapterCache } from './cache/open-adapter-cache.js';
import { withSecrets } from './secrets/session-secrets.js';
import { migrationScript } from './migrate.js';
import { modelAdapter } from './model-adapter.js';
import { connectionOptions, type AuthkeepAdapterOptions } from './options.js';
import { BroughtUser, SessionUserReads, sessionUserTables, watchUserJoins } from './session-user-reads.js';

/** What `betterAuth({ database })` takes, plus the store beneath it and a way to close what it opened. */
export interface AuthkeepBetterAuthAdapter {
  (options: BetterAuthOptions): DBAdapter<BetterAuthOptions>;
  /** authkeep's connection (for migrateBetterAuth or other authkeep facades to share). */
  readonly store: SqlStore;
  /** Closes the cache and the connection if this adapter opened them (yours stay open). */
  close(): Promise<void>;
}

/**
 * better-auth's Kysely adapter contract on authkeep's connection layer. Storage formats are the official
 * Kysely adapter's (@better-auth/kysely-adapter 1.7.25: booleans, dates and JSON native on PostgreSQL,
 * 0/1, ISO text and JSON text on SQLite), so a database it made is used in place.
 */
export function authkeepAdapter(input: AuthkeepAdapterOptions): AuthkeepBetterAuthAdapter {
  if (!input || typeof input !== 'object') throw new ConfigError('authkeepAdapter takes { database, … }');
  const logger = input.logger ?? defaultLogger();
  const connection = connectionOptions(input);
  const { store, owned } = openDatabase(input.database, connection, logger, 'authkeepAdapter');
  let cache: ReturnType<typeof openAdapterCache>;
  try {
    cache = openAdapterCache(input, store, input.database, connection, logger);
  } catch (error) {
    if (owned) void store.close();
    throw error;
  }
  cache?.start();
  const models: ModelStore = new KyselyModelStore(store);
  const postgres = store.dialect === 'postgres';
  const brought = new BroughtUser();

  /** With a cache, its tiers serve getSession's two reads; without, the session read brings its user. */
  const readsFor = (options: BetterAuthOptions): ModelStore => {
    if (cache) return new CachedModelStore(models, cache.records, cachePlan(options, input.usePlural));
    const tables = sessionUserTables(options, input.usePlural);
    return tables ? new SessionUserReads(models, tables, brought) : models;
  };

  const adapter = (options: BetterAuthOptions): DBAdapter<BetterAuthOptions> => {
    const cached = readsFor(options);
    // Digests above the cache: it keys and invalidates by what the database holds.
    const served = withSecrets(cached, input, options, input.usePlural);
    const config: AdapterFactoryConfig = {
      adapterId: 'authkeep',
      adapterName: 'authkeep',
      usePlural: input.usePlural,
      debugLogs: input.debugLogs,
      supportsBooleans: postgres,
      supportsDates: postgres,
      supportsJSON: postgres,
      supportsArrays: false,
      supportsUUIDs: postgres,
      transaction: (callback) =>
        served.transaction((inTransaction) =>
          callback(
            createAdapterFactory({
              config: { ...config, transaction: false },
              adapter: modelAdapter(inTransaction),
            })(options),
          ),
        ),
    };
    const instance = createAdapterFactory({ config, adapter: modelAdapter(served) })(options);
    if (cached instanceof SessionUserReads) watchUserJoins(instance, brought, options, input.usePlural);
    // `npx @better-auth/cli generate` prints better-auth's own migration for this database and these options.
    instance.createSchema = async (schemaOptions, file) => ({
      code: await migrationScript(store, schemaOptions ?? options),
      path: file ?? `./better-auth_migrations/${new Date().toISOString().replace(/[-:.]/g, '')}.sql`,
    });
    return instance;
  };
  return Object.assign(adapter, {
    store,
    close: async () => {
      await cache?.close();
      if (owned) await store.close();
    },
  });
}
