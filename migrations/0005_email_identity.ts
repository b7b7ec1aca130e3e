import type { Kysely } from 'kysely';
import type { Migration, MigrationContext } from '../src/adapters/kysely/schema/migrator.js';
import { emailIdentity } from '../src/domain/email/email.js';

const BATCH = 1000;

/**
 * Re-derives every stored email key under the identity rules of src/domain/email/email.ts (NFKC, full case
 * folding, invisible and mixed-script addresses refused), replacing trim + lower-case. Nothing is
 * dropped silently: a row whose address breaks a rule, or whose new key another user already holds,
 * keeps its row and address, loses only its key (so no look-up matches it) and is logged by id.
 */
export const emailIdentityKeys: Migration = {
  id: 'authkeep_0005_email_identity',
  async up(db: Kysely<any>, context) {
    await recheckEmailKeys(db, 'users', true, context);
    await recheckEmailKeys(db, 'email_verification_tokens', false, context);
  },
};

/** Pages through the table by id and rewrites each key that changes; the row already holding a key keeps it. */
export async function recheckEmailKeys(
  db: Kysely<any>,
  table: string,
  unique: boolean,
  context: MigrationContext,
): Promise<{ changed: number; refused: number; collisions: number }> {
  const report = { changed: 0, refused: 0, collisions: 0 };
  for (let after = ''; ;) {
    const rows: { id: string; email: string; email_normalized: string | null }[] = await db
      .selectFrom(table)
      .select(['id', 'email', 'email_normalized'])
      .where('email', 'is not', null)
      .where('id', '>', after)
      .orderBy('id')
      .limit(BATCH)
      .execute();
    if (rows.length === 0) return report;
    for (const row of rows) {
      after = row.id;
      const identity = emailIdentity(row.email);
      const key = identity.ok ? identity.key : null;
      if (key === row.email_normalized) continue;
      if (!identity.ok) {
        report.refused++;
        context.logger.warn(
          { table, id: row.id, rule: identity.rule },
          'stored email breaks the identity rules: kept, but no longer found by email',
        );
      }
      let update = db.updateTable(table).set({ email_normalized: key }).where('id', '=', row.id);
      if (unique && key !== null) {
        update = update.where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom(`${table} as other`).select('other.id').where('other.email_normalized', '=', key),
            ),
          ),
        );
      }
      const result = await update.executeTakeFirst();
      if (Number(result.numUpdatedRows) === 1) {
        if (identity.ok) report.changed++;
        continue;
      }
      // Another row holds the key: this one keeps its address but loses its old key (a stale key would
      // keep matching look-ups the new rules send elsewhere).
      report.collisions++;
      await db.updateTable(table).set({ email_normalized: null }).where('id', '=', row.id).execute();
      const holder = await db
        .selectFrom(table)
        .select('id')
        .where('email_normalized', '=', key)
        .executeTakeFirst();
      context.logger.warn(
        { table, id: row.id, collidesWith: holder?.id },
        "stored email is the same identity as another user's: kept, but no longer found by email",
      );
    }
  }
}
