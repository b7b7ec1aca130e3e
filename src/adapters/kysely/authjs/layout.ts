import type { AuthjsTable } from './schema.js';

/**
 * Which Auth.js database this is: `pg-adapter` is @auth/pg-adapter's schema.sql (lower-case plural tables,
 * SERIAL ids); `kysely-adapter` is the schema documented for @auth/kysely-adapter (`User`, `Account`,
 * `Session`, `VerificationToken`, uuid ids on PostgreSQL, text on SQLite). Column names are the same in both.
 */
export type AuthjsLayoutName = 'pg-adapter' | 'kysely-adapter';

export interface AuthjsLayout {
  name: AuthjsLayoutName;
  tables: Record<AuthjsTable, string>;
  /** serial: the database numbers users, accounts and sessions; uuid: we generate the ids. */
  ids: 'serial' | 'uuid';
}

export const AUTHJS_LAYOUTS: Record<AuthjsLayoutName, AuthjsLayout> = {
  // @auth/pg-adapter 1.11.3, packages/adapter-pg/schema.sql; authenticators carry AdapterAuthenticator's names.
  'pg-adapter': {
    name: 'pg-adapter',
    ids: 'serial',
    tables: {
      users: 'users',
      accounts: 'accounts',
      sessions: 'sessions',
      verification_token: 'verification_token',
      authenticators: 'authenticators',
    },
  },
  // @auth/kysely-adapter 1.11.2: its Database interface names User, Account, Session, VerificationToken.
  'kysely-adapter': {
    name: 'kysely-adapter',
    ids: 'uuid',
    tables: {
      users: 'User',
      accounts: 'Account',
      sessions: 'Session',
      verification_token: 'VerificationToken',
      authenticators: 'Authenticator',
    },
  },
};

const SERIAL_ID = /^[1-9][0-9]{0,9}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Whether `id` is one this layout's id columns can hold. Another string finds nothing rather than being
 * sent to PostgreSQL, which would refuse it as an integer or a uuid.
 */
export function isStorableId(layout: AuthjsLayout, dialect: 'postgres' | 'sqlite', id: string): boolean {
  if (typeof id !== 'string' || id.length === 0) return false;
  if (layout.ids === 'serial') return SERIAL_ID.test(id) && Number(id) <= 2_147_483_647;
  return dialect === 'sqlite' || UUID.test(id);
}
