import { type Kysely, sql } from 'kysely';
import type { Logger } from '../../../ports/system.js';
import type { Codec, Dialect } from '../codec.js';
import type { AuthDatabase } from '../tables.js';
import type { SqlStore } from '../sql-store.js';
import { tableExists } from './introspect.js';

export interface MigrationContext {
  dialect: Dialect;
  codec: Codec;
  logger: Logger;
  /** The digest stored in place of a bearer token (sessions), for migrations that convert old rows. */
  digestToken(token: string): string;
  /** Zone of the process that wrote an adopted @kitiumai/auth-postgres database (default: env, then ours). */
  upstreamTimeZone?: string;
}

/** One schema step; `up` runs inside the migration transaction, under the migration lock. */
export interface Migration {
  id: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  up(db: Kysely<any>, context: MigrationContext): Promise<void>;
}

export interface MigrationStatus {
  applied: { id: string; appliedAt: Date }[];
  pending: string[];
}

export async function ensureLedger(trx: Kysely<AuthDatabase>, dialect: Dialect): Promise<void> {
  const now = dialect === 'postgres' ? sql`now()` : sql`(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))`;
  await trx.schema
    .createTable('auth_migrations')
    .ifNotExists()
    .addColumn('id', 'varchar(255)', (c) => c.primaryKey())
    .addColumn('applied_at', dialect === 'postgres' ? 'timestamptz' : 'text', (c) =>
      c.notNull().defaultTo(now),
    )
    .execute();
}

export async function appliedIds(
  trx: Kysely<AuthDatabase>,
  codec: Codec,
): Promise<MigrationStatus['applied']> {
  const rows = await trx.selectFrom('auth_migrations').select(['id', 'applied_at']).orderBy('id').execute();
  return rows.map((row) => ({ id: row.id as string, appliedAt: codec.readTimestamp(row.applied_at) }));
}

/** Applies every pending migration in order, in one transaction, holding the cross-process lock. */
export async function runMigrations(
  store: SqlStore,
  migrations: readonly Migration[],
  context: MigrationContext,
): Promise<string[]> {
  return store.withMigrationLock(async (trx) => {
    await ensureLedger(trx, store.dialect);
    const ran: string[] = [];
    for (const migration of migrations) {
      // Read anew each time: adopting an upstream database records upstream's own 0001 as done.
      const done = new Set((await appliedIds(trx, store.codec)).map((entry) => entry.id));
      if (done.has(migration.id)) continue;
      await migration.up(trx, context);
      await trx
        .insertInto('auth_migrations')
        .values({ id: migration.id, applied_at: store.codec.timestamp(new Date()) })
        .execute();
      context.logger.info({ migration: migration.id }, 'applied migration');
      ran.push(migration.id);
    }
    return ran;
  });
}

export async function migrationStatus(
  store: SqlStore,
  migrations: readonly Migration[],
): Promise<MigrationStatus> {
  return store.withMigrationLock(async (trx) => {
    await ensureLedger(trx, store.dialect);
    const applied = await appliedIds(trx, store.codec);
    const done = new Set(applied.map((entry) => entry.id));
    return { applied, pending: migrations.filter((m) => !done.has(m.id)).map((m) => m.id) };
  });
}

/**
 * The status without writing anything (no lock, no ledger, no schema created): a database without the
 * ledger has every migration pending. Applied migrations are listed in the order they apply.
 */
export async function readMigrationStatus(
  store: SqlStore,
  migrations: readonly Migration[],
): Promise<MigrationStatus> {
  const ledger = await tableExists(store.db, store.dialect, 'auth_migrations');
  const applied = ledger ? await appliedIds(store.db, store.codec) : [];
  const position = new Map(migrations.map((migration, index) => [migration.id, index]));
  const rank = (id: string) => position.get(id) ?? migrations.length;
  applied.sort((a, b) => rank(a.id) - rank(b.id) || a.appliedAt.getTime() - b.appliedAt.getTime());
  const done = new Set(applied.map((entry) => entry.id));
  return { applied, pending: migrations.filter((m) => !done.has(m.id)).map((m) => m.id) };
}
