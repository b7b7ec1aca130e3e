/**
 * What the Auth.js facade stores, in authkeep's own terms (Auth.js types stop at src/app/authjs). Ids are
 * strings here whatever the column type (SERIAL on the @auth/pg-adapter layout, uuid on the Kysely one).
 */
export interface AuthjsUser {
  id: string;
  name: string | null;
  email: string | null;
  emailVerified: Date | null;
  image: string | null;
}

export type AuthjsNewUser = Omit<AuthjsUser, 'id'>;

/** The token columns of an account, as stored (sealed or in clear: the store does not know which). */
export interface AuthjsAccount {
  userId: string;
  type: string;
  provider: string;
  providerAccountId: string;
  refresh_token: string | null;
  access_token: string | null;
  expires_at: number | null;
  token_type: string | null;
  scope: string | null;
  id_token: string | null;
  session_state: string | null;
}

/** `key`: what the "sessionToken" column holds (the caller's token, or its digest when hashing is on). */
export interface AuthjsSession {
  key: string;
  userId: string;
  expires: Date;
}

export interface AuthjsVerificationToken {
  identifier: string;
  token: string;
  expires: Date;
}

export interface AuthjsAuthenticator {
  credentialID: string;
  userId: string;
  providerAccountId: string;
  credentialPublicKey: string;
  counter: number;
  credentialDeviceType: string;
  credentialBackedUp: boolean;
  transports: string | null;
}

export interface AuthjsAccountKey {
  provider: string;
  providerAccountId: string;
}

/** Storage of the Auth.js models. Look-ups of an id the layout cannot hold (not numeric, not a uuid) find nothing. */
export interface AuthjsStore {
  createUser(user: AuthjsNewUser): Promise<AuthjsUser>;
  getUser(id: string): Promise<AuthjsUser | null>;
  getUserByEmail(email: string): Promise<AuthjsUser | null>;
  getUserByAccount(key: AuthjsAccountKey): Promise<AuthjsUser | null>;
  /** Null when there is no such user. */
  updateUser(id: string, patch: Partial<AuthjsNewUser>): Promise<AuthjsUser | null>;
  /** Deletes the user with its sessions, accounts and authenticators in one transaction; returns the user. */
  deleteUser(id: string): Promise<AuthjsUser | null>;

  linkAccount(account: AuthjsAccount): Promise<void>;
  getAccount(key: AuthjsAccountKey): Promise<AuthjsAccount | null>;
  /** Deletes and returns the account (one statement). */
  unlinkAccount(key: AuthjsAccountKey): Promise<AuthjsAccount | null>;

  createSession(session: AuthjsSession): Promise<void>;
  /** The session and its user in one joined, prepared statement. */
  getSessionAndUser(key: string): Promise<{ session: AuthjsSession; user: AuthjsUser } | null>;
  /** Null when there is no such session. */
  updateSession(key: string, patch: { expires?: Date; userId?: string }): Promise<AuthjsSession | null>;
  /** Deletes and returns the session (one statement). */
  deleteSession(key: string): Promise<AuthjsSession | null>;

  createVerificationToken(token: AuthjsVerificationToken): Promise<void>;
  /** Deletes and returns the token in one statement, so two concurrent uses cannot both succeed. */
  useVerificationToken(identifier: string, token: string): Promise<AuthjsVerificationToken | null>;

  createAuthenticator(authenticator: AuthjsAuthenticator): Promise<void>;
  getAuthenticator(credentialID: string): Promise<AuthjsAuthenticator | null>;
  listAuthenticatorsByUserId(userId: string): Promise<AuthjsAuthenticator[]>;
  /** Null when there is no such credential. */
  updateAuthenticatorCounter(credentialID: string, counter: number): Promise<AuthjsAuthenticator | null>;

  /** Creates the missing tables (changing none that exist) and optionally digests clear session tokens. */
  migrate(options?: AuthjsMigrateOptions): Promise<AuthjsMigrateReport>;

  close(): Promise<void>;
}

export interface AuthjsMigrateOptions {
  /** Replace each "sessionToken" still in clear by `digest(token)`; rows already digests are left alone. */
  digestSessionTokens?: (token: string) => string;
  /** Whether a stored value is already a digest (so conversion is idempotent). */
  isDigest?: (value: string) => boolean;
  /** The account as it should be stored (tokens sealed with the active key), or null when it already is. */
  resealAccount?: (account: AuthjsAccount) => AuthjsAccount | null;
}

export interface AuthjsMigrateReport {
  /** Tables this call created (the others were there and were not changed). */
  created: string[];
  /** Session tokens converted to digests by this call. */
  convertedSessionTokens: number;
  /** Accounts whose OAuth tokens this call sealed, or re-sealed with the active key. */
  resealedAccounts: number;
}
