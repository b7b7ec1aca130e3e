import type { AuthjsAccount, AuthjsAccountKey, AuthjsAuthenticator } from '../../../ports/authjs-store.js';
import type { AuthjsSql } from './context.js';

/** OAuth / email / WebAuthn accounts and WebAuthn authenticators: rows that hang off a user. */
export class AuthjsAccounts {
  constructor(private readonly sql: AuthjsSql) {}

  async link(account: AuthjsAccount): Promise<void> {
    const id = this.sql.newId();
    await this.sql.run(
      (db) =>
        db
          .insertInto('accounts')
          .values({
            ...(id === undefined ? {} : { id }),
            ...account,
            userId: this.sql.dbId(account.userId),
          })
          .execute(),
      false,
      'account',
    );
  }

  async get(key: AuthjsAccountKey): Promise<AuthjsAccount | null> {
    const row = await this.sql.run(
      (db) =>
        db
          .selectFrom('accounts')
          .selectAll()
          .where('provider', '=', key.provider)
          .where('providerAccountId', '=', key.providerAccountId)
          .executeTakeFirst(),
      true,
      'account',
    );
    return row ? this.sql.rows.account(row) : null;
  }

  async unlink(key: AuthjsAccountKey): Promise<AuthjsAccount | null> {
    const row = await this.sql.run(
      (db) =>
        db
          .deleteFrom('accounts')
          .where('provider', '=', key.provider)
          .where('providerAccountId', '=', key.providerAccountId)
          .returningAll()
          .executeTakeFirst(),
      true,
      'account',
    );
    return row ? this.sql.rows.account(row) : null;
  }

  async createAuthenticator(authenticator: AuthjsAuthenticator): Promise<void> {
    await this.sql.run(
      (db) =>
        db
          .insertInto('authenticators')
          .values({
            ...authenticator,
            userId: this.sql.dbId(authenticator.userId),
            credentialBackedUp: this.sql.codec.bool(authenticator.credentialBackedUp),
          })
          .execute(),
      false,
      'authenticator',
    );
  }

  async getAuthenticator(credentialID: string): Promise<AuthjsAuthenticator | null> {
    const row = await this.sql.run(
      (db) =>
        db
          .selectFrom('authenticators')
          .selectAll()
          .where('credentialID', '=', credentialID)
          .executeTakeFirst(),
      true,
      'authenticator',
    );
    return row ? this.sql.rows.authenticator(row) : null;
  }

  async listAuthenticators(userId: string): Promise<AuthjsAuthenticator[]> {
    if (!this.sql.storable(userId)) return [];
    const rows = await this.sql.run(
      (db) =>
        db
          .selectFrom('authenticators')
          .selectAll()
          .where('userId', '=', this.sql.dbId(userId))
          .orderBy('credentialID')
          .execute(),
      true,
      'authenticator',
    );
    return rows.map((row) => this.sql.rows.authenticator(row));
  }

  async updateCounter(credentialID: string, counter: number): Promise<AuthjsAuthenticator | null> {
    const row = await this.sql.run(
      (db) =>
        db
          .updateTable('authenticators')
          .set({ counter })
          .where('credentialID', '=', credentialID)
          .returningAll()
          .executeTakeFirst(),
      true,
      'authenticator',
    );
    return row ? this.sql.rows.authenticator(row) : null;
  }
}
