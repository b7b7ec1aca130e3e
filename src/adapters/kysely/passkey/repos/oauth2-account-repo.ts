import { randomUUID } from 'node:crypto';
import type { OAuth2Account, OAuth2AccountInput } from '../../../../domain/passkey/records.js';
import type { PasskeySql } from '../context.js';
import { toOAuth2Account } from './rows.js';

const entity = 'oauth2-passkey OAuth2 account';

/** Record field → column, for the crate's one-field lookups and deletes. */
export const OAUTH2_COLUMNS = {
  id: 'id',
  userId: 'user_id',
  provider: 'provider',
  providerUserId: 'provider_user_id',
  name: 'name',
  email: 'email',
} as const;

export type OAuth2Column = (typeof OAUTH2_COLUMNS)[keyof typeof OAUTH2_COLUMNS];

/** `{prefix}oauth2_accounts`: OAuth2/OIDC identities linked to users. */
export class OAuth2AccountRepo {
  constructor(private readonly sql: PasskeySql) {}

  async getAccountsBy(column: OAuth2Column, value: string): Promise<OAuth2Account[]> {
    const ordered = this.sql.shape.oauth2Sequence;
    const rows = await this.sql.run(
      (db) => {
        const query = db.selectFrom('oauth2_accounts').selectAll().where(column, '=', value);
        // Insertion order; the pre-0.6 layout has no sequence_number, so creation time then id.
        return (
          ordered ? query.orderBy('sequence_number') : query.orderBy('created_at').orderBy('id')
        ).execute();
      },
      { idempotent: true, entity },
    );
    return rows.map((row) => toOAuth2Account(row, this.sql.codec));
  }

  async getAccountByProvider(provider: string, providerUserId: string): Promise<OAuth2Account | null> {
    const row = await this.sql.run(
      (db) =>
        db
          .selectFrom('oauth2_accounts')
          .selectAll()
          .where('provider', '=', provider)
          .where('provider_user_id', '=', providerUserId)
          .executeTakeFirst(),
      { idempotent: true, entity },
    );
    return row ? toOAuth2Account(row, this.sql.codec) : null;
  }

  /**
   * The crate's upsert keyed by (provider, provider_user_id): an existing link gets name, email, picture,
   * metadata and updated_at (id, user_id, provider and created_at stay); a new one is inserted whole.
   * The crate does SELECT-then-INSERT, so two concurrent first logins collide on the UNIQUE constraint;
   * one INSERT … ON CONFLICT DO UPDATE decides that race inside the database, so neither caller fails.
   */
  async upsertAccount(account: Required<OAuth2AccountInput>): Promise<OAuth2Account> {
    const { codec } = this.sql;
    const row = await this.sql.run(
      (db) => {
        const now = codec.timestamp(this.sql.now());
        return db
          .insertInto('oauth2_accounts')
          .values({
            id: account.id === '' ? randomUUID() : account.id,
            user_id: account.userId,
            provider: account.provider,
            provider_user_id: account.providerUserId,
            name: account.name,
            email: account.email,
            picture: account.picture,
            metadata: codec.json(account.metadata),
            created_at: now,
            updated_at: now,
          })
          .onConflict((oc) =>
            oc.columns(['provider', 'provider_user_id']).doUpdateSet((eb) => ({
              name: eb.ref('excluded.name'),
              email: eb.ref('excluded.email'),
              picture: eb.ref('excluded.picture'),
              metadata: eb.ref('excluded.metadata'),
              updated_at: eb.ref('excluded.updated_at'),
            })),
          )
          .returningAll()
          .executeTakeFirstOrThrow();
      },
      { idempotent: true, entity },
    );
    return toOAuth2Account(row, codec);
  }

  async deleteAccountsBy(column: OAuth2Column, value: string): Promise<number> {
    const result = await this.sql.run(
      (db) => db.deleteFrom('oauth2_accounts').where(column, '=', value).executeTakeFirst(),
      { idempotent: true, entity },
    );
    return Number(result.numDeletedRows);
  }
}
