import { type Kysely, sql } from 'kysely';
import type { Migration, MigrationContext } from '../src/adapters/kysely/schema/migrator.js';
import { emailIdentity } from '../src/domain/email/email.js';
import { UPSTREAM_TABLES } from './0001_initial_schema_v2.js';
import { columnTypes } from './column-types.js';
// One trigger drop for adoption (0000) and this step; after 0000 it finds nothing left to drop.
import { dropUpdatedAtTriggers } from './upstream/reshape.js';

const BATCH = 1000;

/** PostgreSQL: every TIMESTAMP WITHOUT TIME ZONE column becomes timestamptz, read as UTC. */
async function timestampsToTimestamptz(db: Kysely<any>): Promise<void> {
  const tables = [...UPSTREAM_TABLES, 'auth_migrations'];
  const { rows } = await sql<{ table_name: string; column_name: string }>`
    select table_name, column_name from information_schema.columns
    where table_schema = current_schema() and data_type = 'timestamp without time zone'`.execute(db);
  for (const { table_name, column_name } of rows) {
    if (!tables.includes(table_name)) continue;
    await sql`alter table ${sql.table(table_name)} alter column ${sql.ref(column_name)}
      type timestamptz using ${sql.ref(column_name)} at time zone 'UTC'`.execute(db);
  }
}

/**
 * Fills `email_normalized` in batches, oldest row first, with the same function the store uses at run
 * time. When upstream data holds one address in two cases, the oldest row keeps it and later rows are
 * reported and left without the key (the unique index exists already, so the check is the database's).
 */
async function backfillNormalizedEmails(
  db: Kysely<any>,
  table: string,
  unique: boolean,
  context: MigrationContext,
) {
  // Rows leave the pending set once filled; duplicates stay NULL and are excluded by id (they are rare).
  const duplicates: string[] = [];
  for (;;) {
    let query = db
      .selectFrom(table)
      .select(['id', 'email'])
      .where('email', 'is not', null)
      .where('email_normalized', 'is', null);
    if (duplicates.length > 0) query = query.where('id', 'not in', duplicates);
    const rows = await query.orderBy('created_at').orderBy('id').limit(BATCH).execute();
    if (rows.length === 0) return;
    for (const row of rows) {
      const identity = emailIdentity(row.email);
      if (!identity.ok) {
        // An address the identity rules refuse keeps its row, without a key; reported, never dropped.
        duplicates.push(row.id);
        context.logger.warn(
          { table, id: row.id, rule: identity.rule },
          'email refused by the identity rules',
        );
        continue;
      }
      const normalized = identity.key;
      let update = db.updateTable(table).set({ email_normalized: normalized }).where('id', '=', row.id);
      if (unique) {
        update = update.where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom(`${table} as other`)
                .select('other.id')
                .where('other.email_normalized', '=', normalized),
            ),
          ),
        );
      }
      const result = await update.executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) {
        duplicates.push(row.id);
        context.logger.warn(
          { table, id: row.id },
          'duplicate email (case-insensitive) left without a unique key',
        );
      }
    }
  }
}

/** Moves upstream's users.oauth JSON into the link table that enforces one owner per (provider, sub). */
async function backfillOAuthLinks(db: Kysely<any>, context: MigrationContext): Promise<void> {
  let after = '';
  for (;;) {
    const rows = await db
      .selectFrom('users')
      .select(['id', 'oauth', 'created_at'])
      .where('id', '>', after)
      .where('oauth', 'is not', null)
      .orderBy('id')
      .limit(BATCH)
      .execute();
    if (rows.length === 0) break;
    for (const row of rows) {
      after = row.id;
      const links = context.codec.readJson<Record<string, { sub?: unknown; linkedAt?: unknown }> | null>(
        row.oauth,
      );
      for (const [provider, link] of Object.entries(links ?? {})) {
        if (!link || typeof link.sub !== 'string') continue;
        const linkedAt =
          typeof link.linkedAt === 'string'
            ? new Date(link.linkedAt)
            : context.codec.readTimestamp(row.created_at);
        const inserted = await db
          .insertInto('user_oauth_links')
          .values({
            provider,
            sub: link.sub,
            user_id: row.id,
            linked_at: context.codec.timestamp(Number.isNaN(linkedAt.getTime()) ? new Date() : linkedAt),
          })
          .onConflict((oc) => oc.columns(['provider', 'sub']).doNothing())
          .executeTakeFirst();
        if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) {
          context.logger.warn(
            { provider, userId: row.id },
            'OAuth identity already linked to another user; kept the first link',
          );
        }
      }
    }
  }
}

async function dedupeUserRoles(db: Kysely<any>, dialect: string): Promise<void> {
  const rowKey = dialect === 'postgres' ? sql.raw('ctid') : sql.raw('rowid');
  await sql`delete from user_roles where ${rowKey} not in (
    select min(${rowKey}) from user_roles group by user_id, role_id, org_id)`.execute(db);
}

async function createIndexes(db: Kysely<any>): Promise<void> {
  const index = (name: string, table: string, columns: string[], unique = false) => {
    const builder = db.schema.createIndex(name).ifNotExists().on(table).columns(columns);
    return (unique ? builder.unique() : builder).execute();
  };
  await index('user_oauth_links_user_id_idx', 'user_oauth_links', ['user_id']);
  await index('api_keys_principal_id_idx', 'api_keys', ['principal_id', 'created_at']);
  await index('api_keys_prefix_last_four_idx', 'api_keys', ['prefix', 'last_four']);
  await index('sessions_user_id_idx', 'sessions', ['user_id']);
  await index('sessions_expires_at_idx', 'sessions', ['expires_at']);
  await index('email_tokens_email_type_idx', 'email_verification_tokens', [
    'email_normalized',
    'type',
    'created_at',
  ]);
  await index('email_tokens_expires_at_idx', 'email_verification_tokens', ['expires_at']);
  await index('auth_events_principal_idx', 'auth_events', ['principal_id', 'timestamp']);
  await index('roles_org_id_idx', 'roles', ['org_id', 'created_at']);
  await index('user_roles_unique_key', 'user_roles', ['user_id', 'org_id', 'role_id'], true);
  await index('user_roles_role_id_idx', 'user_roles', ['role_id']);
  await index('sso_providers_org_id_idx', 'sso_providers', ['org_id']);
  await index('sso_links_user_id_idx', 'sso_links', ['user_id']);
  await index('sso_sessions_user_id_idx', 'sso_sessions', ['user_id']);
  await index('sso_sessions_expires_at_idx', 'sso_sessions', ['expires_at']);
  await index('twofa_devices_user_id_idx', 'twofa_devices', ['user_id']);
  await index('twofa_backup_codes_user_id_idx', 'twofa_backup_codes', ['user_id']);
  await index('twofa_sessions_user_id_idx', 'twofa_sessions', ['user_id']);
  await index('twofa_sessions_expires_at_idx', 'twofa_sessions', ['expires_at']);
}

/**
 * Brings upstream's schema (fresh or adopted) to authkeep's: timestamptz, a case-insensitive unique
 * email, one owner per OAuth identity, one row per role assignment, the indexes every query needs,
 * and the SAML tenant config table.
 */
export const authkeepFoundation: Migration = {
  id: 'authkeep_0002_foundation',
  async up(db: Kysely<any>, context) {
    const { dialect } = context;
    const t = columnTypes(dialect);
    if (dialect === 'postgres') {
      await timestampsToTimestamptz(db);
      await dropUpdatedAtTriggers(db);
    }
    await db.schema.alterTable('users').addColumn('email_normalized', t.id).execute();
    await db.schema.alterTable('email_verification_tokens').addColumn('email_normalized', t.id).execute();
    await db.schema
      .createIndex('users_email_normalized_key')
      .unique()
      .on('users')
      .column('email_normalized')
      .execute();
    await backfillNormalizedEmails(db, 'users', true, context);
    await backfillNormalizedEmails(db, 'email_verification_tokens', false, context);

    await db.schema
      .createTable('user_oauth_links')
      .addColumn('provider', t.id, (c) => c.notNull())
      .addColumn('sub', t.id, (c) => c.notNull())
      .addColumn('user_id', t.id, (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('linked_at', t.timestamp, (c) => c.notNull())
      .addPrimaryKeyConstraint('user_oauth_links_pkey', ['provider', 'sub'])
      .execute();
    await backfillOAuthLinks(db, context);

    await sql`delete from email_verification_token_attempts where token_id not in (
      select id from email_verification_tokens)`.execute(db);
    await dedupeUserRoles(db, dialect);

    await db.schema
      .createTable('saml_tenant_configs')
      .addColumn('tenant_id', t.id, (c) => c.primaryKey())
      .addColumn('config', t.json, (c) => c.notNull())
      .addColumn('created_at', t.timestamp, (c) => c.notNull().defaultTo(t.now))
      .addColumn('updated_at', t.timestamp, (c) => c.notNull().defaultTo(t.now))
      .execute();

    await createIndexes(db);
  },
};
