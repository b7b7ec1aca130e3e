import type {
  AuthjsAccount,
  AuthjsAccountKey,
  AuthjsAuthenticator,
  AuthjsMigrateOptions,
  AuthjsMigrateReport,
  AuthjsNewUser,
  AuthjsSession,
  AuthjsStore,
  AuthjsUser,
  AuthjsVerificationToken,
} from '../../../ports/authjs-store.js';
import type { IdGenerator } from '../../../ports/system.js';
import type { SqlStore } from '../sql-store.js';
import { AuthjsAccounts } from './accounts.js';
import { AuthjsSql } from './context.js';
import type { AuthjsLayout } from './layout.js';
import { migrateAuthjsTables } from './migrate.js';
import { AuthjsSessions } from './sessions.js';
import { AuthjsUsers } from './users.js';

/** AuthjsStore on Kysely, for either layout on either dialect. */
export class KyselyAuthjsStore implements AuthjsStore {
  private readonly sql: AuthjsSql;
  private readonly users: AuthjsUsers;
  private readonly accounts: AuthjsAccounts;
  private readonly sessions: AuthjsSessions;

  constructor(
    store: SqlStore,
    layout: AuthjsLayout,
    ids: IdGenerator,
    private readonly closeStore: () => Promise<void>,
  ) {
    this.sql = new AuthjsSql(store, layout, ids);
    this.users = new AuthjsUsers(this.sql);
    this.accounts = new AuthjsAccounts(this.sql);
    this.sessions = new AuthjsSessions(this.sql);
  }

  migrate(options: AuthjsMigrateOptions = {}): Promise<AuthjsMigrateReport> {
    return migrateAuthjsTables(this.sql, options);
  }

  createUser(user: AuthjsNewUser): Promise<AuthjsUser> {
    return this.users.create(user);
  }
  getUser(id: string): Promise<AuthjsUser | null> {
    return this.users.get(id);
  }
  getUserByEmail(email: string): Promise<AuthjsUser | null> {
    return this.users.getByEmail(email);
  }
  getUserByAccount(key: AuthjsAccountKey): Promise<AuthjsUser | null> {
    return this.users.getByAccount(key);
  }
  updateUser(id: string, patch: Partial<AuthjsNewUser>): Promise<AuthjsUser | null> {
    return this.users.update(id, patch);
  }
  deleteUser(id: string): Promise<AuthjsUser | null> {
    return this.users.delete(id);
  }

  linkAccount(account: AuthjsAccount): Promise<void> {
    return this.accounts.link(account);
  }
  getAccount(key: AuthjsAccountKey): Promise<AuthjsAccount | null> {
    return this.accounts.get(key);
  }
  unlinkAccount(key: AuthjsAccountKey): Promise<AuthjsAccount | null> {
    return this.accounts.unlink(key);
  }

  createSession(session: AuthjsSession): Promise<void> {
    return this.sessions.create(session);
  }
  getSessionAndUser(key: string): Promise<{ session: AuthjsSession; user: AuthjsUser } | null> {
    return this.sessions.getWithUser(key);
  }
  updateSession(key: string, patch: { expires?: Date; userId?: string }): Promise<AuthjsSession | null> {
    return this.sessions.update(key, patch);
  }
  deleteSession(key: string): Promise<AuthjsSession | null> {
    return this.sessions.delete(key);
  }

  createVerificationToken(token: AuthjsVerificationToken): Promise<void> {
    return this.sessions.createVerificationToken(token);
  }
  useVerificationToken(identifier: string, token: string): Promise<AuthjsVerificationToken | null> {
    return this.sessions.useVerificationToken(identifier, token);
  }

  createAuthenticator(authenticator: AuthjsAuthenticator): Promise<void> {
    return this.accounts.createAuthenticator(authenticator);
  }
  getAuthenticator(credentialID: string): Promise<AuthjsAuthenticator | null> {
    return this.accounts.getAuthenticator(credentialID);
  }
  listAuthenticatorsByUserId(userId: string): Promise<AuthjsAuthenticator[]> {
    return this.accounts.listAuthenticators(userId);
  }
  updateAuthenticatorCounter(credentialID: string, counter: number): Promise<AuthjsAuthenticator | null> {
    return this.accounts.updateCounter(credentialID, counter);
  }

  close(): Promise<void> {
    return this.closeStore();
  }
}
