import type { ExtraFields } from '../../../../domain/fields/extra-fields.js';
import type { TwoFactorMethod, TwoFactorSession } from '../../../../domain/records/records.js';
import type { CipherPort } from '../../../../ports/cipher.js';
import type { TwoFactorSessionRepo } from '../../../../ports/two-factor-repos.js';
import { columnCipher, type ColumnCipher } from '../../sealing/encrypted-columns.js';
import { recoverInserted } from '../recover.js';
import { TableAccess } from '../table-access.js';
import type { SqlStore } from '../../sql-store.js';
import { withStoredExtra, writeExtra } from '../extra-column.js';
import { compact, optionalDate, text } from '../mapping.js';

const entity = 'twoFactorSession';

/**
 * Two-factor sessions. `sessionId` is a bearer session token and `verificationCode` a one-time code:
 * both are returned to the caller, so they are encrypted (not digested), each bound to the row id.
 */
export class KyselyTwoFactorSessionRepo implements TwoFactorSessionRepo {
  private readonly rows: TableAccess<TwoFactorSession>;
  private readonly sessionIds: ColumnCipher;
  private readonly codes: ColumnCipher;

  constructor(
    private readonly store: SqlStore,
    cipher: CipherPort,
  ) {
    this.rows = new TableAccess(store, 'twofa_sessions', entity, (row) => this.toRecord(row));
    this.sessionIds = columnCipher(cipher, 'twofa_sessions', 'session_id');
    this.codes = columnCipher(cipher, 'twofa_sessions', 'verification_code');
  }

  private toRecord(row: Record<string, unknown>): TwoFactorSession {
    const { codec } = this.store;
    const id = text(row.id);
    const record = compact({
      id,
      userId: text(row.user_id),
      sessionId: this.sessionIds.read(id, row.session_id) as string,
      deviceId: text(row.device_id),
      method: text(row.method) as TwoFactorMethod,
      verificationCode: this.codes.read(id, row.verification_code) ?? undefined,
      attemptCount: Number(row.attempt_count),
      maxAttempts: Number(row.max_attempts),
      expiresAt: codec.readTimestamp(row.expires_at),
      createdAt: codec.readTimestamp(row.created_at),
      completedAt: optionalDate(codec, row.completed_at),
    });
    return withStoredExtra(record, row.extra);
  }

  async insert(session: TwoFactorSession, extra: ExtraFields): Promise<TwoFactorSession> {
    const { codec } = this.store;
    const sessionId = this.sessionIds.write(session.id, session.sessionId);
    const verificationCode = this.codes.write(session.id, session.verificationCode ?? null);
    const row = await this.store.run(
      (db) =>
        db
          .insertInto('twofa_sessions')
          .values({
            id: session.id,
            user_id: session.userId,
            session_id: sessionId,
            device_id: session.deviceId,
            method: session.method,
            verification_code: verificationCode,
            attempt_count: session.attemptCount,
            max_attempts: session.maxAttempts,
            expires_at: codec.timestamp(session.expiresAt),
            created_at: codec.timestamp(session.createdAt),
            completed_at: session.completedAt === undefined ? null : codec.timestamp(session.completedAt),
            extra: writeExtra(extra),
          })
          .returningAll()
          .executeTakeFirstOrThrow(),
      { idempotent: false, entity, recover: recoverInserted('twofa_sessions', session.id, (row) => row) },
    );
    return this.toRecord(row);
  }

  async findById(id: string): Promise<TwoFactorSession | null> {
    return this.rows.findOne('id', id);
  }

  async exists(id: string): Promise<boolean> {
    const row = await this.store.run(
      (db) => db.selectFrom('twofa_sessions').select('id').where('id', '=', id).executeTakeFirst(),
      { idempotent: true, entity },
    );
    return row !== undefined;
  }

  async complete(id: string, completedAt: Date): Promise<boolean> {
    const at = this.store.codec.timestamp(completedAt);
    // The `completed_at is null` guard makes this single-use: of concurrent callers, one row update wins.
    const row = await this.store.run(
      (db) =>
        db
          .updateTable('twofa_sessions')
          .set({ completed_at: at })
          .where('id', '=', id)
          .where('completed_at', 'is', null)
          .returning('id')
          .executeTakeFirst(),
      {
        idempotent: false,
        entity,
        // After a lost connection, our own timestamp on the row proves our update is the one that won.
        recover: (db) =>
          db
            .selectFrom('twofa_sessions')
            .select('id')
            .where('id', '=', id)
            .where('completed_at', '=', at)
            .executeTakeFirst()
            .then((found) => found ?? null),
      },
    );
    return row !== undefined;
  }
}
