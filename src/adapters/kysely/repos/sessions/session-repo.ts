import type { CompiledQuery } from 'kysely';
import type { SessionRecord } from '../../../../domain/records/records.js';
import { splitSessionKey } from '../../../../domain/records/session-bucket.js';
import { ensureSessionPartition } from '../../expiry/session-partitions.js';
import { isMissingBucketTable, RECORD_COLUMNS, SessionStatements } from './session-statements.js';
import {
  HEX_SESSIONS_TABLE,
  SessionDigestForms,
  type SessionPlace,
  type SessionTable,
} from './digest-forms.js';
import type { PatchWithExtra, SessionRepo, StoredSession } from '../../../../ports/repos.js';
import { prepare, slot } from '../../prepared.js';
import { recoverInserted } from '../recover.js';
import { TableAccess } from '../table-access.js';
import type { Db, RunOptions, SqlStore } from '../../sql-store.js';
import { hasExtraChanges, updateWithExtra } from '../extra-column.js';
import { optionalJson, patchColumns, text, type ColumnMap } from '../mapping.js';

const entity = 'session';

type Placed = SessionPlace & { bucket: number };

export class KyselySessionRepo implements SessionRepo {
  private readonly rows: Record<SessionTable, TableAccess<StoredSession>>;
  private readonly byKey: SessionStatements;
  private readonly forms: SessionDigestForms;
  private readonly insertRow: Record<SessionTable, (args: Record<string, unknown>) => CompiledQuery>;
  private readonly columns: ColumnMap<Omit<SessionRecord, 'id'>>;

  constructor(private readonly store: SqlStore) {
    const { db, codec } = store;
    const access = (table: SessionTable) =>
      new TableAccess(store, table as 'sessions', entity, (row) => this.toStored(row));
    this.rows = { sessions: access('sessions'), [HEX_SESSIONS_TABLE]: access(HEX_SESSIONS_TABLE) };
    this.byKey = new SessionStatements(store);
    this.forms = new SessionDigestForms(store);
    // Sessions are created on every login: the insert is compiled once, like the hot reads.
    const columns = ['id', 'bucket', ...RECORD_COLUMNS];
    const insert = (table: SessionTable) =>
      prepare(
        db
          .insertInto(table as 'sessions')
          .values(Object.fromEntries(columns.map((c) => [c, slot(c)])) as never),
      );
    this.insertRow = { sessions: insert('sessions'), [HEX_SESSIONS_TABLE]: insert(HEX_SESSIONS_TABLE) };
    this.columns = {
      userId: ['user_id', (v) => v],
      orgId: ['org_id', (v) => v],
      plan: ['plan', (v) => v],
      entitlements: ['entitlements', (v) => codec.array(v)],
      expiresAt: ['expires_at', (v) => codec.timestamp(v)],
      metadata: ['metadata', (v) => codec.json(v)],
    };
  }

  /** Built field by field rather than through compact(): this runs on every session read. */
  private toStored(row: Record<string, unknown>): StoredSession {
    const { codec } = this.store;
    const stored: StoredSession = {
      userId: text(row.user_id),
      entitlements: codec.readArray(row.entitlements),
      expiresAt: codec.readTimestamp(row.expires_at),
      createdAt: codec.readTimestamp(row.created_at),
      updatedAt: codec.readTimestamp(row.updated_at),
    };
    if (row.org_id !== null && row.org_id !== undefined) stored.orgId = text(row.org_id);
    if (row.plan !== null && row.plan !== undefined) stored.plan = text(row.plan);
    const metadata = optionalJson<Record<string, unknown>>(codec, row.metadata);
    if (metadata !== undefined) stored.metadata = metadata;
    // The extra fields stay dated-JSON text until the facade: a cache in between keeps their Dates.
    if (row.extra !== null && row.extra !== undefined) stored.extraFields = text(row.extra);
    return stored;
  }

  /** Where the session under `key` is stored, and its digest in that table's form (migration 0009). */
  private placeNow(key: string): Placed | undefined {
    const { digest, bucket } = splitSessionKey(key);
    const place = this.forms.placeNow(digest, bucket);
    // Built, not spread: this runs on every session read and write.
    return place && { table: place.table, id: place.id, migrated: place.migrated, bucket };
  }

  /** The first look-up of a process reads the list of hex buckets (once, when migration 0009 is applied). */
  private async placeLater(key: string): Promise<Placed> {
    const { digest, bucket } = splitSessionKey(key);
    return { ...(await this.forms.place(digest, bucket)), bucket };
  }

  async insert(key: string, session: StoredSession): Promise<void> {
    const { codec } = this.store;
    const { table, id, bucket } = this.placeNow(key) ?? (await this.placeLater(key));
    const values = {
      id,
      bucket,
      user_id: session.userId,
      org_id: session.orgId ?? null,
      plan: session.plan ?? null,
      entitlements: codec.array(session.entitlements),
      expires_at: codec.timestamp(session.expiresAt),
      metadata: session.metadata === undefined ? null : codec.json(session.metadata),
      created_at: codec.timestamp(session.createdAt),
      updated_at: codec.timestamp(session.updatedAt),
      extra: session.extraFields ?? null,
    };
    // One options object and no closure per call (a closure is a named function under tsx: a defineProperty).
    const options: RunOptions<unknown[]> = {
      idempotent: false,
      entity,
      recover: recoverSessionRow.bind(undefined, table, id),
    };
    const direct = this.byKey.insertDirect(bucket, values);
    try {
      await this.store.query(direct ?? this.insertRow[table](values), options);
    } catch (error) {
      if (direct !== undefined && isMissingBucketTable(error)) {
        // The partition was dropped by a sweep since it was seen: through the parent, which makes it again.
        this.byKey.gone(bucket);
        return this.insert(key, session);
      }
      // The first session of a bucket nobody created yet (or a sweep just dropped): create it, once.
      if (!isMissingPartition(error)) throw error;
      await ensureSessionPartition(this.store, bucket, table);
      await this.store.query(this.insertRow[table](values), options);
    }
    this.byKey.seen(bucket);
  }

  /** Without an async frame when the place is known and SQLite answers at once: this is every session read. */
  findByKey(key: string): Promise<StoredSession | null> {
    try {
      const placed = this.placeNow(key);
      return placed
        ? this.findAt(key, placed)
        : this.placeLater(key).then((later) => this.findAt(key, later));
    } catch (error) {
      return Promise.reject(error); // a rejection, as from an async method, never a throw
    }
  }

  private findAt(key: string, { table, id, bucket, migrated }: Placed): Promise<StoredSession | null> {
    // Before 0009 the partition is read, not the parent: 0009 renames the parent (hex) under the read.
    const forced = !migrated && this.store.dialect === 'postgres';
    const direct = forced || this.byKey.isDirect(bucket);
    const statement =
      migrated || forced ? this.byKey.read(table, id, bucket, forced) : this.byKey.either(id as string).read;
    const row = this.store.firstRow<Record<string, unknown>>(statement, { idempotent: true, entity });
    if (!(row instanceof Promise)) return Promise.resolve(this.found(row, bucket));
    return row.then(
      (later) => this.found(later, bucket),
      (error: unknown) => {
        if (!direct || !isMissingBucketTable(error)) throw error;
        if (forced) return null;
        // Asked again through the parent: a dropped partition is no session, a missing sessions table an error.
        this.byKey.gone(bucket);
        return this.findByKey(key);
      },
    );
  }

  private found(row: Record<string, unknown> | undefined, bucket: number): StoredSession | null {
    if (!row) return null;
    this.byKey.seen(bucket);
    return this.toStored(row);
  }

  async update(
    key: string,
    patch: PatchWithExtra<Omit<SessionRecord, 'id'>>,
    updatedAt: Date,
  ): Promise<StoredSession | null> {
    const values = {
      ...patchColumns(patch, this.columns),
      updated_at: this.store.codec.timestamp(updatedAt),
    };
    const { table, id, bucket } = this.placeNow(key) ?? (await this.placeLater(key));
    if (!hasExtraChanges(patch.extra)) return this.rows[table].updateById(id, values, { bucket });
    return updateWithExtra(this.store, table, entity, id, values, patch.extra, (row) => this.toStored(row), {
      bucket,
    });
  }

  async delete(key: string): Promise<void> {
    const { table, id, bucket, migrated } = this.placeNow(key) ?? (await this.placeLater(key));
    // Before 0009, as findByKey: a revocation racing the migration must not miss its row.
    const forced = !migrated && this.store.dialect === 'postgres';
    const direct = forced || this.byKey.isDirect(bucket);
    const statement =
      migrated || forced
        ? this.byKey.remove(table, id, bucket, forced)
        : this.byKey.either(id as string).remove;
    try {
      await this.store.query(statement, { idempotent: true, entity });
    } catch (error) {
      if (!direct || !isMissingBucketTable(error)) throw error;
      if (forced) return; // no partition: no session
      this.byKey.gone(bucket);
      await this.delete(key);
    }
  }

  async deleteExpired(now: Date, limit: number): Promise<number> {
    let removed = 0;
    if (await this.forms.hasHexTable())
      removed += await this.deleteExpiredFrom(HEX_SESSIONS_TABLE, now, limit);
    return removed + (await this.deleteExpiredFrom('sessions', now, limit - removed));
  }

  private async deleteExpiredFrom(table: SessionTable, now: Date, limit: number): Promise<number> {
    if (limit <= 0) return 0;
    const result = await this.store.run(
      (db) =>
        db
          .deleteFrom(table as 'sessions')
          .where((eb) =>
            eb(
              'id',
              'in',
              eb
                .selectFrom(table as 'sessions')
                .select('id')
                .where('expires_at', '<', this.store.codec.timestamp(now))
                .limit(limit),
            ),
          )
          .executeTakeFirst(),
      { idempotent: true, entity },
    );
    return Number(result.numDeletedRows);
  }
}

/** After an ambiguous fault: [] when the insert of the row under `id` did commit, null to redo it. */
async function recoverSessionRow(
  table: SessionTable,
  id: string | Buffer,
  db: Db,
): Promise<unknown[] | null> {
  return (await recoverInserted(table as 'sessions', id, () => true)(db)) ? [] : null;
}

/** PostgreSQL's answer to a row whose bucket has no partition: check_violation naming no constraint. */
function isMissingPartition(error: unknown): boolean {
  const cause = (error as { cause?: { code?: string; constraint?: string; table?: string } }).cause;
  return (
    cause?.code === '23514' &&
    cause.constraint === undefined &&
    (cause.table === 'sessions' || cause.table === HEX_SESSIONS_TABLE)
  );
}
