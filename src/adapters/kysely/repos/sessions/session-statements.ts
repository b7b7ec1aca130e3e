import type { CompiledQuery } from 'kysely';
import { prepare, slot } from '../../prepared.js';
import { sessionPartitionName } from '../../expiry/session-partitions.js';
import type { SqlStore } from '../../sql-store.js';
import type { SessionTable } from './digest-forms.js';

/** What a session record is read from, no more: the key (its digest) and bucket are known. */
export const RECORD_COLUMNS = [
  'user_id',
  'org_id',
  'plan',
  'entitlements',
  'expires_at',
  'metadata',
  'created_at',
  'updated_at',
  'extra',
] as const;

type Binder = (args: { digest: string | Buffer; bucket: number }) => CompiledQuery;
type EitherBinder = (args: { hex: string; bytes: Buffer }) => CompiledQuery;

/** Buckets read directly, at most (a month of logins needs ~40; only buckets seen to exist count). */
const MAX_CACHED_BUCKETS = 512;

/** SQLSTATE of a relation that does not exist: a bucket never created, or dropped by a sweep. */
const UNDEFINED_TABLE = '42P01';

/**
 * The read and delete of a session by key. On PostgreSQL, for a bucket whose partition this process has
 * seen (it inserted there, or found a row there), they go straight to the partition (`sessions_b<bucket>`,
 * migration 0008): a plain table, so the prepared statement keeps a generic plan that locks one table,
 * where a statement on the partitioned parent is either re-planned on every call or locks every partition.
 * Any other bucket (a forged suffix, a bucket never seen) goes through the parent with the bucket as a
 * condition: pruned to one partition or none, and never an error. The name is built from the bucket's
 * integer, never from caller text. A bucket's partition has the same name under `sessions` (bytes) and
 * `sessions_hex` (hex, migration 0009): a bucket is in one of them only. SQLite has one table.
 */
export class SessionStatements {
  private readonly direct = { reads: new Map<number, Binder>(), deletes: new Map<number, Binder>() };
  private readonly inserts = new Map<number, (row: Record<string, unknown>) => CompiledQuery>();
  private readonly known = new Set<number>();
  private readonly viaParent = new Map<SessionTable, { read: Binder; remove: Binder }>();
  private eitherForm?: { read: EitherBinder; remove: EitherBinder };

  constructor(private readonly store: SqlStore) {}

  /**
   * SQLite before 0009: the digest in either form, in one statement, so a look-up that runs as 0009
   * converts the rows sees one snapshot and finds the session in the form that snapshot holds.
   */
  either(hex: string): { read: CompiledQuery; remove: CompiledQuery } {
    if (this.eitherForm === undefined) {
      const { db } = this.store;
      const ids = [slot('hex'), slot('bytes')];
      this.eitherForm = {
        read: prepare(db.selectFrom('sessions').select(RECORD_COLUMNS).where('id', 'in', ids)),
        remove: prepare(db.deleteFrom('sessions').where('id', 'in', ids)),
      };
    }
    const args = { hex, bytes: Buffer.from(hex, 'hex') };
    return { read: this.eitherForm.read(args), remove: this.eitherForm.remove(args) };
  }

  private parent(table: SessionTable): { read: Binder; remove: Binder } {
    let statements = this.viaParent.get(table);
    if (statements === undefined) {
      const { db } = this.store;
      statements = {
        read: prepare(
          db
            .selectFrom(table as 'sessions')
            .select(RECORD_COLUMNS)
            .where('id', '=', slot('digest'))
            .where('bucket', '=', slot('bucket')),
        ),
        remove: prepare(
          db
            .deleteFrom(table as 'sessions')
            .where('id', '=', slot('digest'))
            .where('bucket', '=', slot('bucket')),
        ),
      };
      this.viaParent.set(table, statements);
    }
    return statements;
  }

  /** The bucket's partition exists (a row was written or found there): later statements go to it directly. */
  seen(bucket: number): void {
    if (this.store.dialect === 'postgres' && this.known.size < MAX_CACHED_BUCKETS) this.known.add(bucket);
  }

  /** The partition was dropped by a sweep: back to the parent for this bucket. */
  gone(bucket: number): void {
    this.known.delete(bucket);
  }

  /** Whether statements for this bucket go straight to its partition. */
  isDirect(bucket: number): boolean {
    return this.known.has(bucket);
  }

  /** `direct` forces the partition (a database before 0009, where the parent may change under the read). */
  read(table: SessionTable, digest: string | Buffer, bucket: number, direct = false): CompiledQuery {
    if (!direct && !this.known.has(bucket)) return this.parent(table).read({ digest, bucket });
    return this.bound(this.direct.reads, bucket, (partition) =>
      this.store.db
        .selectFrom(partition as 'sessions')
        .select(RECORD_COLUMNS)
        .where('id', '=', slot('digest')),
    )({ digest, bucket });
  }

  remove(table: SessionTable, digest: string | Buffer, bucket: number, direct = false): CompiledQuery {
    if (!direct && !this.known.has(bucket)) return this.parent(table).remove({ digest, bucket });
    return this.bound(this.direct.deletes, bucket, (partition) =>
      this.store.db.deleteFrom(partition as 'sessions').where('id', '=', slot('digest')),
    )({ digest, bucket });
  }

  /**
   * The insert of a row into a bucket whose partition was seen, straight into the partition: PostgreSQL
   * then routes no tuple through the parent. Undefined for a bucket not seen.
   */
  insertDirect(bucket: number, row: Record<string, unknown>): CompiledQuery | undefined {
    if (!this.known.has(bucket)) return undefined;
    let binder = this.inserts.get(bucket);
    if (binder === undefined) {
      const columns = ['id', 'bucket', ...RECORD_COLUMNS];
      binder = prepare(
        this.store.db
          .insertInto(sessionPartitionName(bucket) as 'sessions')
          .values(Object.fromEntries(columns.map((c) => [c, slot(c)])) as never),
      );
      this.inserts.set(bucket, binder);
    }
    return binder(row);
  }

  private bound(
    cache: Map<number, Binder>,
    bucket: number,
    build: (table: string) => Parameters<typeof prepare>[0],
  ): Binder {
    let binder = cache.get(bucket);
    if (binder === undefined) {
      binder = prepare(build(sessionPartitionName(bucket)));
      cache.set(bucket, binder);
    }
    return binder;
  }
}

/** Whether a statement failed because the relation it names does not exist (a dropped partition, or no table at all). */
export function isMissingBucketTable(error: unknown): boolean {
  return (error as { cause?: { code?: string } }).cause?.code === UNDEFINED_TABLE;
}
