import type { SqlStore } from './sql-store.js';

/** Tables whose rows carry an `expires_at` and are useless afterwards. */
const EXPIRING = ['sessions', 'email_verification_tokens', 'twofa_sessions', 'sso_sessions'] as const;
export type ExpiringTable = (typeof EXPIRING)[number];

export interface SweepOptions {
  now: Date;
  batchSize?: number;
  onBatch?: (table: ExpiringTable, deleted: number) => void;
}

/**
 * Deletes expired rows in batches (each batch one short transaction, so a sweep never holds locks for
 * long) and returns how many went from each table.
 */
export async function sweepExpired(
  store: SqlStore,
  options: SweepOptions,
): Promise<Record<ExpiringTable, number>> {
  const { now, batchSize = 1000 } = options;
  const cutoff = store.codec.timestamp(now);
  const counts = {} as Record<ExpiringTable, number>;
  for (const table of EXPIRING) {
    counts[table] = 0;
    for (;;) {
      const deleted = await store.transaction(
        async (trx) => {
          const ids = (
            await trx
              .selectFrom(table)
              .select('id')
              .where('expires_at', '<', cutoff)
              .limit(batchSize)
              .execute()
          ).map((row) => row.id as string);
          if (ids.length === 0) return 0;
          if (table === 'email_verification_tokens') {
            await trx.deleteFrom('email_verification_token_attempts').where('token_id', 'in', ids).execute();
          }
          await trx.deleteFrom(table).where('id', 'in', ids).execute();
          return ids.length;
        },
        { idempotent: true, entity: table },
      );
      if (deleted === 0) break;
      counts[table] += deleted;
      options.onBatch?.(table, deleted);
    }
  }
  return counts;
}
