import type { CompiledQuery } from 'kysely';
import type { AuthjsSession, AuthjsUser, AuthjsVerificationToken } from '../../../ports/authjs-store.js';
import { prepare, slot } from '../prepared.js';
import type { AuthjsSql } from './context.js';

interface JoinedRow {
  userId: number | string;
  expires: Date | string;
  id: number | string;
  name: string | null;
  email: string | null;
  emailVerified: Date | string | null;
  image: string | null;
}

/** Database sessions and verification tokens: the rows Auth.js reads on every request and every sign-in. */
export class AuthjsSessions {
  private readonly sessionAndUser: (args: { key: string }) => CompiledQuery;

  constructor(private readonly sql: AuthjsSql) {
    // Compiled once: one joined statement, one round trip, the driver's prepared statement every time.
    this.sessionAndUser = prepare<{ key: string }>(
      sql.db
        .selectFrom('sessions')
        .innerJoin('users', 'users.id', 'sessions.userId')
        .select([
          'sessions.userId',
          'sessions.expires',
          'users.id',
          'users.name',
          'users.email',
          'users.emailVerified',
          'users.image',
        ])
        .where('sessions.sessionToken', '=', slot('key')),
    );
  }

  async create(session: AuthjsSession): Promise<void> {
    const id = this.sql.newId();
    await this.sql.run(
      (db) =>
        db
          .insertInto('sessions')
          .values({
            ...(id === undefined ? {} : { id }),
            sessionToken: session.key,
            userId: this.sql.dbId(session.userId),
            expires: this.sql.codec.timestamp(session.expires),
          })
          .execute(),
      false,
      'session',
    );
  }

  async getWithUser(key: string): Promise<{ session: AuthjsSession; user: AuthjsUser } | null> {
    const rows = await this.sql.store.query<JoinedRow>(this.sessionAndUser({ key }), {
      idempotent: true,
      entity: 'session',
    });
    const row = rows[0];
    if (!row) return null;
    return {
      session: this.sql.rows.session({ sessionToken: key, userId: row.userId, expires: row.expires }),
      user: this.sql.rows.user(row),
    };
  }

  async update(key: string, patch: { expires?: Date; userId?: string }): Promise<AuthjsSession | null> {
    const values = {
      ...(patch.expires ? { expires: this.sql.codec.timestamp(patch.expires) } : {}),
      ...(patch.userId !== undefined ? { userId: this.sql.dbId(patch.userId) } : {}),
    };
    const row = await this.sql.run(
      (db) =>
        Object.keys(values).length === 0
          ? db.selectFrom('sessions').selectAll().where('sessionToken', '=', key).executeTakeFirst()
          : db
              .updateTable('sessions')
              .set(values)
              .where('sessionToken', '=', key)
              .returningAll()
              .executeTakeFirst(),
      true,
      'session',
    );
    return row ? this.sql.rows.session(row) : null;
  }

  async delete(key: string): Promise<AuthjsSession | null> {
    const row = await this.sql.run(
      (db) => db.deleteFrom('sessions').where('sessionToken', '=', key).returningAll().executeTakeFirst(),
      true,
      'session',
    );
    return row ? this.sql.rows.session(row) : null;
  }

  async createVerificationToken(token: AuthjsVerificationToken): Promise<void> {
    await this.sql.run(
      (db) =>
        db
          .insertInto('verification_token')
          .values({ ...token, expires: this.sql.codec.timestamp(token.expires) })
          .execute(),
      false,
      'verification token',
    );
  }

  /** DELETE … RETURNING: of two concurrent uses, exactly one gets the row. Not retried: a use is single. */
  async useVerificationToken(identifier: string, token: string): Promise<AuthjsVerificationToken | null> {
    const row = await this.sql.run(
      (db) =>
        db
          .deleteFrom('verification_token')
          .where('identifier', '=', identifier)
          .where('token', '=', token)
          .returningAll()
          .executeTakeFirst(),
      false,
      'verification token',
    );
    return row ? this.sql.rows.verificationToken(row) : null;
  }
}
