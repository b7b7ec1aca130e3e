import type { AuthjsMigrateOptions, AuthjsMigrateReport } from '../../../ports/authjs-store.js';
import type { AuthjsSql } from './context.js';
import { createMissingTables } from './ddl.js';
import { resealAccounts } from './reseal.js';

const PAGE = 500;

/**
 * Creates what is missing under the schema lock (PostgreSQL: an advisory lock, so concurrent processes take
 * turns), then converts clear session tokens to digests in pages. Each row is updated only while it still
 * holds the clear token, so two processes converting at once never digest a digest.
 */
export async function migrateAuthjsTables(
  sql: AuthjsSql,
  options: AuthjsMigrateOptions,
): Promise<AuthjsMigrateReport> {
  const created = await sql.withSchemaLock((trx) => createMissingTables(trx, sql.dialect, sql.layout));
  let converted = 0;
  const { digestSessionTokens: digest, isDigest } = options;
  if (digest && isDigest) {
    let after = '';
    for (;;) {
      const page = await sql.run(
        (db) =>
          db
            .selectFrom('sessions')
            .select('sessionToken')
            .where('sessionToken', '>', after)
            .orderBy('sessionToken')
            .limit(PAGE)
            .execute(),
        true,
        'session',
      );
      const clear = page.map((row) => row.sessionToken).filter((token) => !isDigest(token));
      if (clear.length > 0) {
        converted += await sql.transaction(
          async (trx) => {
            let count = 0;
            for (const token of clear) {
              const result = await trx
                .updateTable('sessions')
                .set({ sessionToken: digest(token) })
                .where('sessionToken', '=', token)
                .executeTakeFirst();
              count += Number(result.numUpdatedRows);
            }
            return count;
          },
          true,
          'session',
        );
      }
      if (page.length < PAGE) break;
      after = page[page.length - 1]!.sessionToken;
    }
  }
  const resealed = options.resealAccount ? await resealAccounts(sql, options.resealAccount) : 0;
  return { created, convertedSessionTokens: converted, resealedAccounts: resealed };
}
