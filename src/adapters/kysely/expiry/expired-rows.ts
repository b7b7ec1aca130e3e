import type { Kysely } from 'kysely';
import type { SqlStore } from '../sql-store.js';

/** Tables whose rows carry an `expires_at` and are useless afterwards. */
export const EXPIRING_TABLES = [
  'sessions',
  'email_verification_tokens',
  'twofa_sessions',
  'sso_sessions',
] as const;
export type ExpiringTable = (typeof EXPIRING_TABLES)[number];

export interface ExpiredRows {
  table: ExpiringTable;
  now: Date;
  batchSize: number;
  /** Sessions only: rows in these buckets (the others leave with their partition). */
  buckets?: readonly number[];
  /** Sessions only: the hex sessions of migration 0009 instead. */
  relation?: 'sessions_hex';
  onBatch?: (deleted: number) => void;
}

/**
 * Deletes the rows expired at `now` in batches, each one short transaction. Each batch starts at the
 * last expiry the previous one removed (a keyset over the expires_at index), so it never walks the dead
 * index entries of earlier batches: the cost is linear in what is removed. Returns how many went.
 */
export async function deleteExpiredRows(store: SqlStore, job: ExpiredRows): Promise<number> {
  const { codec } = store;
  const cutoff = codec.timestamp(job.now);
  let from: unknown;
  let total = 0;
  for (;;) {
    const batch = await store.transaction(
      async (trx) => {
        // Loosely typed: the columns used are common to every expiring table, `bucket` is on sessions.
        const db = trx as unknown as Kysely<Record<string, Record<string, unknown>>>;
        const table = job.relation ?? job.table;
        let select = db.selectFrom(table).select(['id', 'expires_at']).where('expires_at', '<', cutoff);
        if (from !== undefined) select = select.where('expires_at', '>=', from);
        if (job.buckets) select = select.where('bucket', 'in', job.buckets);
        const rows = await select.orderBy('expires_at').limit(job.batchSize).execute();
        if (rows.length === 0) return null;
        const ids = rows.map((row) => row.id as string | Buffer);
        if (job.table === 'email_verification_tokens') {
          await db.deleteFrom('email_verification_token_attempts').where('token_id', 'in', ids).execute();
        }
        let remove = db.deleteFrom(table).where('id', 'in', ids);
        if (job.buckets) remove = remove.where('bucket', 'in', job.buckets);
        await remove.execute();
        return { deleted: rows.length, last: rows[rows.length - 1]?.expires_at };
      },
      { idempotent: true, entity: job.table },
    );
    if (batch === null) return total;
    // Milliseconds: a stored microsecond expiry rounds down, so the next batch can only start earlier.
    from = codec.timestamp(codec.readTimestamp(batch.last));
    total += batch.deleted;
    job.onBatch?.(batch.deleted);
  }
}
