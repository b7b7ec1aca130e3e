import { sql } from 'kysely';
import type { SqlStore } from '../../sql-store.js';

/** PostgreSQL: the partitioned table of sessions stored before migration 0009, digests as hex text. */
export const HEX_SESSIONS_TABLE = 'sessions_hex';

/** The buckets whose sessions are hex (migration 0009 writes it once; its presence marks the migration). */
export const HEX_BUCKETS_TABLE = 'sessions_hex_buckets';

export type SessionTable = 'sessions' | typeof HEX_SESSIONS_TABLE;

/** Where a session of one bucket is stored, and its digest in the form stored there. */
export interface SessionPlace {
  table: SessionTable;
  id: string | Buffer;
  /** Migration 0009 is applied (false: the database is still all hex, and this is asked again next time). */
  migrated: boolean;
}

/**
 * The form of a session's digest follows from its bucket alone: hex text for the buckets listed in
 * HEX_BUCKETS_TABLE (PostgreSQL, `sessions_hex`), 32 raw bytes everywhere else. The list never changes
 * once written, so it is read once per process and a read by token stays one probe of one index.
 */
export class SessionDigestForms {
  #hexBuckets: ReadonlySet<number> | undefined;

  constructor(private readonly store: SqlStore) {}

  /** The place, without a round trip once the list is known (undefined until then). */
  placeNow(digest: string, bucket: number): SessionPlace | undefined {
    const hex = this.#hexBuckets;
    return hex === undefined ? undefined : place(hex, digest, bucket);
  }

  async place(digest: string, bucket: number): Promise<SessionPlace> {
    const hex = this.#hexBuckets ?? (await this.load());
    return hex === null ? { table: 'sessions', id: digest, migrated: false } : place(hex, digest, bucket);
  }

  /** Whether `sessions_hex` exists (PostgreSQL after migration 0009). */
  async hasHexTable(): Promise<boolean> {
    return this.store.dialect === 'postgres' && (this.#hexBuckets ?? (await this.load())) !== null;
  }

  private async load(): Promise<ReadonlySet<number> | null> {
    // Through store.run: the store's deadline, retries and typed errors, as for any other read.
    const rows = await this.store.run(
      async (db) => {
        try {
          return (
            await sql<{ bucket: number | string }>`select bucket from ${sql.id(HEX_BUCKETS_TABLE)}`.execute(
              db,
            )
          ).rows;
        } catch (error) {
          if (isMissingTable(error)) return null; // before 0009: asked again next time
          throw error;
        }
      },
      { idempotent: true, entity: 'session' },
    );
    if (rows === null) return null;
    this.#hexBuckets = new Set(rows.map((row) => Number(row.bucket)));
    return this.#hexBuckets;
  }
}

function place(hex: ReadonlySet<number>, digest: string, bucket: number): SessionPlace {
  return hex.has(bucket)
    ? { table: HEX_SESSIONS_TABLE, id: digest, migrated: true }
    : { table: 'sessions', id: Buffer.from(digest, 'hex'), migrated: true };
}

/** A relation that does not exist: PostgreSQL's undefined_table, SQLite's "no such table". */
export function isMissingTable(error: unknown): boolean {
  for (let e = error as { code?: string; message?: string; cause?: unknown } | undefined; e;) {
    if (e.code === '42P01' || /no such table/.test(e.message ?? '')) return true;
    e = e.cause as typeof e;
  }
  return false;
}
