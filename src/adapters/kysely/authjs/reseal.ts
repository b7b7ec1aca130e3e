import type { AuthjsAccount } from '../../../ports/authjs-store.js';
import type { AuthjsSql } from './context.js';

const PAGE = 500;

/**
 * Rewrites the token columns of every account `reseal` wants changed, page by page in id order. Each
 * update is a compare-and-set on the three token columns as read, so a row linked or changed meanwhile
 * (or resealed by another process running this at once) is left to its writer. Returns the rows updated.
 */
export async function resealAccounts(
  sql: AuthjsSql,
  reseal: (account: AuthjsAccount) => AuthjsAccount | null,
): Promise<number> {
  let after: number | string | undefined;
  let updated = 0;
  for (;;) {
    const from = after;
    const page = await sql.run(
      (db) => {
        const query = db.selectFrom('accounts').selectAll().orderBy('id').limit(PAGE);
        return (from === undefined ? query : query.where('id', '>', from)).execute();
      },
      true,
      'account',
    );
    for (const row of page) {
      const next = reseal(sql.rows.account(row));
      if (!next) continue;
      const result = await sql.run(
        (db) =>
          db
            .updateTable('accounts')
            .set({
              refresh_token: next.refresh_token,
              access_token: next.access_token,
              id_token: next.id_token,
            })
            .where('id', '=', row.id)
            .where('refresh_token', 'is not distinct from', row.refresh_token)
            .where('access_token', 'is not distinct from', row.access_token)
            .where('id_token', 'is not distinct from', row.id_token)
            .executeTakeFirst(),
        true,
        'account',
      );
      updated += Number(result.numUpdatedRows);
    }
    if (page.length < PAGE) break;
    after = page[page.length - 1]!.id;
  }
  return updated;
}
