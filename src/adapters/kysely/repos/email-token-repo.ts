import { normalizeEmail } from '../../../domain/email/email.js';
import type { ExtraFields } from '../../../domain/fields/extra-fields.js';
import type { EmailVerificationToken, EmailVerificationTokenType } from '../../../domain/records/records.js';
import type { CodeDigestPort } from '../../../ports/cipher.js';
import type { EmailTokenRepo } from '../../../ports/repos.js';
import { recoverInserted } from './recover.js';
import { TableAccess } from './table-access.js';
import type { SqlStore } from '../sql-store.js';
import { withStoredExtra, writeExtra } from './extra-column.js';
import { EMAIL_CODE_COLUMN } from '../sealing/digested-columns.js';
import { compact, optionalDate, optionalJson, optionalText, text } from './mapping.js';

const entity = 'emailVerificationToken';

/**
 * Email verification tokens. The code is stored as a keyed digest (CodeDigestPort), never in clear,
 * and reads back as that digest: upstream's callers check `codeHash` (their own) or the code they
 * issued; none reads `code` back (kitium-ai/auth src/email keeps its tokens in memory).
 */
export class KyselyEmailTokenRepo implements EmailTokenRepo {
  private readonly rows: TableAccess<EmailVerificationToken>;
  constructor(
    private readonly store: SqlStore,
    private readonly codes: CodeDigestPort,
  ) {
    this.rows = new TableAccess(store, 'email_verification_tokens', entity, (row) => this.toRecord(row));
  }

  private toRecord(row: Record<string, unknown>): EmailVerificationToken {
    const { codec } = this.store;
    // Extra fields go under the token's own: a stored extra field can never stand in for the code.
    const record = compact({
      id: text(row.id),
      email: text(row.email),
      code: text(row.code),
      codeHash: text(row.code_hash),
      type: text(row.type) as EmailVerificationTokenType,
      userId: optionalText(row.user_id),
      metadata: optionalJson<Record<string, unknown>>(codec, row.metadata),
      expiresAt: codec.readTimestamp(row.expires_at),
      createdAt: codec.readTimestamp(row.created_at),
      usedAt: optionalDate(codec, row.used_at),
    });
    return withStoredExtra(record, row.extra);
  }

  async insert(token: EmailVerificationToken, extra: ExtraFields): Promise<EmailVerificationToken> {
    const { codec } = this.store;
    const row = await this.store.run(
      (db) =>
        db
          .insertInto('email_verification_tokens')
          .values({
            id: token.id,
            email: token.email,
            email_normalized: normalizeEmail(token.email),
            code: this.codes.seal(token.code, {
              table: EMAIL_CODE_COLUMN.table,
              column: EMAIL_CODE_COLUMN.column,
              rowId: token.id,
            }),
            code_hash: token.codeHash,
            type: token.type,
            user_id: token.userId ?? null,
            metadata: token.metadata === undefined ? null : codec.json(token.metadata),
            expires_at: codec.timestamp(token.expiresAt),
            created_at: codec.timestamp(token.createdAt),
            used_at: token.usedAt === undefined ? null : codec.timestamp(token.usedAt),
            extra: writeExtra(extra),
          })
          .returningAll()
          .executeTakeFirstOrThrow(),
      {
        idempotent: false,
        entity,
        recover: recoverInserted('email_verification_tokens', token.id, (row) => row),
      },
    );
    return this.toRecord(row);
  }

  async findById(id: string): Promise<EmailVerificationToken | null> {
    return this.rows.findOne('id', id);
  }

  async listByEmail(normalizedEmail: string, type?: string): Promise<EmailVerificationToken[]> {
    const rows = await this.store.run(
      (db) => {
        let query = db
          .selectFrom('email_verification_tokens')
          .selectAll()
          .where('email_normalized', '=', normalizedEmail);
        if (type !== undefined) query = query.where('type', '=', type);
        return query.orderBy('created_at', 'desc').orderBy('id', 'desc').execute();
      },
      { idempotent: true, entity },
    );
    return rows.map((row) => this.toRecord(row));
  }

  async markUsed(id: string, usedAt: Date): Promise<EmailVerificationToken | null> {
    // The `used_at is null` guard makes this single-use: of concurrent callers, one row update wins.
    const row = await this.store.run(
      (db) =>
        db
          .updateTable('email_verification_tokens')
          .set({ used_at: this.store.codec.timestamp(usedAt) })
          .where('id', '=', id)
          .where('used_at', 'is', null)
          .returningAll()
          .executeTakeFirst(),
      {
        idempotent: false,
        entity,
        // After a lost connection, our own timestamp on the row proves our update is the one that won.
        recover: (db) =>
          db
            .selectFrom('email_verification_tokens')
            .selectAll()
            .where('id', '=', id)
            .where('used_at', '=', this.store.codec.timestamp(usedAt))
            .executeTakeFirst()
            .then((row) => row ?? null),
      },
    );
    return row ? this.toRecord(row) : null;
  }

  async deleteExpired(now: Date): Promise<number> {
    const cutoff = this.store.codec.timestamp(now);
    return this.store.transaction(
      async (trx) => {
        await trx
          .deleteFrom('email_verification_token_attempts')
          .where((eb) =>
            eb(
              'token_id',
              'in',
              eb.selectFrom('email_verification_tokens').select('id').where('expires_at', '<', cutoff),
            ),
          )
          .execute();
        const result = await trx
          .deleteFrom('email_verification_tokens')
          .where('expires_at', '<', cutoff)
          .executeTakeFirst();
        return Number(result.numDeletedRows);
      },
      { idempotent: true, entity },
    );
  }

  async getAttempts(tokenId: string): Promise<number> {
    const row = await this.store.run(
      (db) =>
        db
          .selectFrom('email_verification_token_attempts')
          .select('attempts')
          .where('token_id', '=', tokenId)
          .executeTakeFirst(),
      { idempotent: true, entity },
    );
    return row ? Number(row.attempts) : 0;
  }

  async incrementAttempts(tokenId: string): Promise<number | null> {
    // One statement: the insert-or-increment is atomic, and no row comes back when the token is missing.
    const row = await this.store.run(
      (db) =>
        db
          .insertInto('email_verification_token_attempts')
          .columns(['token_id', 'attempts'])
          .expression((eb) =>
            eb
              .selectFrom('email_verification_tokens')
              .select((s) => ['id', s.lit(1).as('attempts')])
              .where('id', '=', tokenId),
          )
          .onConflict((oc) =>
            oc.column('token_id').doUpdateSet((eb) => ({
              attempts: eb(eb.ref('email_verification_token_attempts.attempts'), '+', 1),
            })),
          )
          .returning('attempts')
          .executeTakeFirst(),
      { idempotent: false, entity },
    );
    return row ? Number(row.attempts) : null;
  }
}
