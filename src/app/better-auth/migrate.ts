import type { BetterAuthOptions } from 'better-auth/types';
import { getMigrations } from 'better-auth/db/migration';
import type { Kysely } from 'kysely';
import type { SqlStore } from '../../adapters/kysely/index.js';
import { schemaChanged } from '../../adapters/kysely/model-store/index.js';
import { ConfigError } from '../../domain/errors.js';
import { defaultLogger } from '../env.js';
import { openDatabase } from '../open-database.js';
import { connectionOptions, type BetterAuthDatabaseOptions } from './options.js';

export interface MigrateBetterAuthOptions extends BetterAuthDatabaseOptions {
  /** The same better-auth options the app passes to `betterAuth()` (plugins, additionalFields, names, ids). */
  options: BetterAuthOptions;
}

/** better-auth's own migration planner (better-auth/db/migration getMigrations) over authkeep's connection. */
function plan(db: Kysely<unknown>, store: SqlStore, options: BetterAuthOptions) {
  const type = store.dialect === 'postgres' ? 'postgres' : 'sqlite';
  return getMigrations({ ...options, database: { db, type } } as BetterAuthOptions);
}

/**
 * Creates or completes the tables `options` describe, exactly as better-auth's own migration would (it is
 * better-auth's planner that decides), under authkeep's migration lock: on PostgreSQL a transaction-scoped
 * advisory lock, so many processes may start at once and the second finds nothing left to do.
 */
export async function migrateOn(store: SqlStore, options: BetterAuthOptions): Promise<void> {
  const changed = await store.withMigrationLock(async (trx) => {
    const planned = await plan(trx as unknown as Kysely<unknown>, store, options);
    await planned.runMigrations();
    return planned.toBeCreated.length + planned.toBeAdded.length + planned.toBeAddedIndexes.length > 0;
  });
  if (changed) schemaChanged(store);
}

/** The SQL better-auth's migration would run now on this database (what `@better-auth/cli generate` prints). */
export async function migrationScript(store: SqlStore, options: BetterAuthOptions): Promise<string> {
  const { compileMigrations } = await plan(store.typed<unknown>(), store, options);
  return compileMigrations();
}

/** Applies better-auth's schema for `options` to `database`; idempotent and safe under concurrent start-up. */
export async function migrateBetterAuth(input: MigrateBetterAuthOptions): Promise<void> {
  if (!input || typeof input !== 'object' || !input.options || typeof input.options !== 'object') {
    throw new ConfigError(
      'migrateBetterAuth takes { database, options }: options are your betterAuth() options',
    );
  }
  const logger = input.logger ?? defaultLogger();
  const { store, owned } = openDatabase(
    input.database,
    connectionOptions(input),
    logger,
    'migrateBetterAuth',
  );
  try {
    await migrateOn(store, input.options);
  } finally {
    if (owned) await store.close();
  }
}
