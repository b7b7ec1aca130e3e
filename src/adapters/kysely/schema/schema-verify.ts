import { ensureLedger, appliedIds, type Migration, type MigrationContext } from './migrator.js';
import { inScratch } from './migration-script.js';
import { compareSchemaShapes, readSchemaShape } from './schema-shape.js';
import type { SqlStore } from '../sql-store.js';

/**
 * Checks, without changing anything, that the store's schema is the one `migrations` build: every
 * migration recorded, every table, column (type, nullability) and index present. Returns the differences
 * (empty when it matches). The expected schema is built by the migrations themselves, in a scratch schema.
 */
export async function verifySchema(
  store: SqlStore,
  migrations: readonly Migration[],
  context: MigrationContext,
): Promise<string[]> {
  const expected = await inScratch(store, context.logger, async (trx, dialect) => {
    await ensureLedger(trx, dialect);
    for (const migration of migrations) await migration.up(trx, context);
    return readSchemaShape(trx, dialect);
  });
  const live = await readSchemaShape(store.db, store.dialect);
  const differences = compareSchemaShapes(expected, live);
  if (live.tables.has('auth_migrations')) {
    const recorded = new Set((await appliedIds(store.db, store.codec)).map((entry) => entry.id));
    for (const migration of migrations) {
      if (!recorded.has(migration.id)) differences.push(`migration ${migration.id} is not recorded`);
    }
  }
  return differences;
}
