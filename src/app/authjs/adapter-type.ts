import type {
  Adapter,
  AdapterAccount,
  AdapterAuthenticator,
  AdapterSession,
  AdapterUser,
  VerificationToken,
} from '@auth/core/adapters';

type AccountKey = Pick<AdapterAccount, 'provider' | 'providerAccountId'>;

/**
 * Every method of @auth/core's `Adapter`, each returning a Promise (Auth.js accepts any Awaitable), plus
 * close() for the connections authkeep opened.
 */
export interface AuthkeepAdapter extends Required<Adapter> {
  createUser(user: AdapterUser): Promise<AdapterUser>;
  getUser(id: string): Promise<AdapterUser | null>;
  getUserByEmail(email: string): Promise<AdapterUser | null>;
  getUserByAccount(key: AccountKey): Promise<AdapterUser | null>;
  updateUser(user: Partial<AdapterUser> & Pick<AdapterUser, 'id'>): Promise<AdapterUser>;
  deleteUser(userId: string): Promise<AdapterUser | null>;
  linkAccount(account: AdapterAccount): Promise<AdapterAccount>;
  unlinkAccount(key: AccountKey): Promise<AdapterAccount | undefined>;
  getAccount(providerAccountId: string, provider: string): Promise<AdapterAccount | null>;
  createSession(session: { sessionToken: string; userId: string; expires: Date }): Promise<AdapterSession>;
  getSessionAndUser(sessionToken: string): Promise<{ session: AdapterSession; user: AdapterUser } | null>;
  updateSession(
    session: Partial<AdapterSession> & Pick<AdapterSession, 'sessionToken'>,
  ): Promise<AdapterSession | null>;
  deleteSession(sessionToken: string): Promise<AdapterSession | null>;
  createVerificationToken(token: VerificationToken): Promise<VerificationToken>;
  useVerificationToken(params: { identifier: string; token: string }): Promise<VerificationToken | null>;
  getAuthenticator(credentialID: string): Promise<AdapterAuthenticator | null>;
  createAuthenticator(authenticator: AdapterAuthenticator): Promise<AdapterAuthenticator>;
  listAuthenticatorsByUserId(userId: string): Promise<AdapterAuthenticator[]>;
  updateAuthenticatorCounter(credentialID: string, newCounter: number): Promise<AdapterAuthenticator>;
  close(): Promise<void>;
}
