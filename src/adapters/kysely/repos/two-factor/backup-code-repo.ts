import type { ExtraFields } from '../../../../domain/fields/extra-fields.js';
import type { BackupCode } from '../../../../domain/records/records.js';
import type { BackupCodeRepo } from '../../../../ports/two-factor-repos.js';
import { TableAccess } from '../table-access.js';
import type { SqlStore } from '../../sql-store.js';
import { withStoredExtra, writeExtra } from '../extra-column.js';
import { compact, optionalDate, text } from '../mapping.js';

const entity = 'backupCode';

/** Backup codes arrive hashed by the caller; they are stored as given. */
export class KyselyBackupCodeRepo implements BackupCodeRepo {
  private readonly rows: TableAccess<BackupCode>;
  constructor(private readonly store: SqlStore) {
    this.rows = new TableAccess(store, 'twofa_backup_codes', entity, (row) => this.toRecord(row));
  }

  private toRecord(row: Record<string, unknown>): BackupCode {
    const { codec } = this.store;
    const record = compact({
      id: text(row.id),
      userId: text(row.user_id),
      code: text(row.code),
      used: codec.readBool(row.used),
      usedAt: optionalDate(codec, row.used_at),
      createdAt: codec.readTimestamp(row.created_at),
    });
    return withStoredExtra(record, row.extra);
  }

  async insertMany(entries: { code: BackupCode; extra: ExtraFields }[]): Promise<BackupCode[]> {
    if (entries.length === 0) return [];
    const codes = entries.map((entry) => entry.code);
    const { codec } = this.store;
    // One multi-row INSERT: every code or none.
    const rows = await this.store.run(
      (db) =>
        db
          .insertInto('twofa_backup_codes')
          .values(
            entries.map(({ code, extra }) => ({
              id: code.id,
              user_id: code.userId,
              code: code.code,
              used: codec.bool(code.used),
              used_at: code.usedAt === undefined ? null : codec.timestamp(code.usedAt),
              created_at: codec.timestamp(code.createdAt),
              extra: writeExtra(extra),
            })),
          )
          .returningAll()
          .execute(),
      {
        idempotent: false,
        entity,
        // One statement: after a lost connection either every code is there (it committed) or none is.
        recover: async (db) => {
          const ids = codes.map((code) => code.id);
          const found = await db
            .selectFrom('twofa_backup_codes')
            .selectAll()
            .where('id', 'in', ids)
            .execute();
          return found.length === codes.length ? found : null;
        },
      },
    );
    const byId = new Map(rows.map((row) => [text(row.id), this.toRecord(row)]));
    return codes.map((code) => byId.get(code.id) as BackupCode);
  }

  async findById(id: string): Promise<BackupCode | null> {
    return this.rows.findOne('id', id);
  }

  async listByUser(userId: string): Promise<BackupCode[]> {
    return this.rows.listNewestFirst('user_id', userId);
  }

  async markUsed(id: string, usedAt: Date): Promise<boolean> {
    const { codec } = this.store;
    const at = codec.timestamp(usedAt);
    // The `used = false` guard makes this single-use: of concurrent callers, one row update wins.
    const row = await this.store.run(
      (db) =>
        db
          .updateTable('twofa_backup_codes')
          .set({ used: codec.bool(true), used_at: at })
          .where('id', '=', id)
          .where('used', '=', codec.bool(false))
          .returning('id')
          .executeTakeFirst(),
      {
        idempotent: false,
        entity,
        // After a lost connection, our own timestamp on the row proves our update is the one that won.
        recover: (db) =>
          db
            .selectFrom('twofa_backup_codes')
            .select('id')
            .where('id', '=', id)
            .where('used_at', '=', at)
            .executeTakeFirst()
            .then((found) => found ?? null),
      },
    );
    return row !== undefined;
  }
}
