import type { AuthjsAccountKey, AuthjsNewUser, AuthjsUser } from '../../../ports/authjs-store.js';
import type { AuthjsSql } from './context.js';

/** Users: create, read by id / email / account, update, delete with everything that belongs to them. */
export class AuthjsUsers {
  constructor(private readonly sql: AuthjsSql) {}

  private values(user: Partial<AuthjsNewUser>) {
    const { codec } = this.sql;
    return {
      ...('name' in user ? { name: user.name ?? null } : {}),
      ...('email' in user ? { email: user.email ?? null } : {}),
      ...('emailVerified' in user
        ? { emailVerified: user.emailVerified ? codec.timestamp(user.emailVerified) : null }
        : {}),
      ...('image' in user ? { image: user.image ?? null } : {}),
    };
  }

  async create(user: AuthjsNewUser): Promise<AuthjsUser> {
    const id = this.sql.newId();
    const row = await this.sql.run(
      (db) =>
        db
          .insertInto('users')
          .values({ ...(id === undefined ? {} : { id }), ...this.values(user) })
          .returningAll()
          .executeTakeFirstOrThrow(),
      false,
      'user',
    );
    return this.sql.rows.user(row);
  }

  async get(id: string): Promise<AuthjsUser | null> {
    if (!this.sql.storable(id)) return null;
    const row = await this.sql.run(
      (db) => db.selectFrom('users').selectAll().where('id', '=', this.sql.dbId(id)).executeTakeFirst(),
      true,
      'user',
    );
    return row ? this.sql.rows.user(row) : null;
  }

  async getByEmail(email: string): Promise<AuthjsUser | null> {
    const row = await this.sql.run(
      (db) => db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst(),
      true,
      'user',
    );
    return row ? this.sql.rows.user(row) : null;
  }

  async getByAccount(key: AuthjsAccountKey): Promise<AuthjsUser | null> {
    const row = await this.sql.run(
      (db) =>
        db
          .selectFrom('users')
          .innerJoin('accounts', 'accounts.userId', 'users.id')
          .selectAll('users')
          .where('accounts.provider', '=', key.provider)
          .where('accounts.providerAccountId', '=', key.providerAccountId)
          .executeTakeFirst(),
      true,
      'user',
    );
    return row ? this.sql.rows.user(row) : null;
  }

  async update(id: string, patch: Partial<AuthjsNewUser>): Promise<AuthjsUser | null> {
    if (!this.sql.storable(id)) return null;
    const values = this.values(patch);
    if (Object.keys(values).length === 0) return this.get(id);
    const row = await this.sql.run(
      (db) =>
        db
          .updateTable('users')
          .set(values)
          .where('id', '=', this.sql.dbId(id))
          .returningAll()
          .executeTakeFirst(),
      true,
      'user',
    );
    return row ? this.sql.rows.user(row) : null;
  }

  /** One transaction; explicit deletes, as @auth/pg-adapter's older schema.sql had no foreign keys. */
  async delete(id: string): Promise<AuthjsUser | null> {
    if (!this.sql.storable(id)) return null;
    const dbId = this.sql.dbId(id);
    const row = await this.sql.transaction(
      async (trx) => {
        await trx.deleteFrom('sessions').where('userId', '=', dbId).execute();
        await trx.deleteFrom('accounts').where('userId', '=', dbId).execute();
        await trx.deleteFrom('authenticators').where('userId', '=', dbId).execute();
        return trx.deleteFrom('users').where('id', '=', dbId).returningAll().executeTakeFirst();
      },
      true,
      'user',
    );
    return row ? this.sql.rows.user(row) : null;
  }
}
