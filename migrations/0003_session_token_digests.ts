import type { Kysely } from 'kysely';
import type { Migration } from '../src/adapters/kysely/schema/migrator.js';
import { columnTypes } from './column-types.js';

const BATCH = 1000;

/**
 * Sessions are looked up by a digest of their token, so a database dump holds no usable session.
 * Rows that upstream stored under the plain token are converted in place and keep working.
 */
export const sessionTokenDigests: Migration = {
  id: 'authkeep_0003_session_token_digests',
  async up(db: Kysely<any>, context) {
    const t = columnTypes(context.dialect);
    // A marker column makes the batches restartable and keeps converted ids from being converted twice.
    await db.schema.alterTable('sessions').addColumn('id_is_digest', t.bool).execute();
    for (;;) {
      const rows = await db
        .selectFrom('sessions')
        .select('id')
        .where('id_is_digest', 'is', null)
        .limit(BATCH)
        .execute();
      if (rows.length === 0) break;
      for (const { id } of rows) {
        await db
          .updateTable('sessions')
          .set({ id: context.digestToken(id), id_is_digest: context.codec.bool(true) })
          .where('id', '=', id)
          .execute();
      }
    }
    await db.schema.alterTable('sessions').dropColumn('id_is_digest').execute();
  },
};
