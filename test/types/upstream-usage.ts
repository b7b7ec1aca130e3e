/**
 * Compiled by `npm run typecheck`, never run: code written against @kitiumai/auth 4.x types must
 * compile against ours unchanged, and both facades must be StorageAdapters.
 */
import {
  PostgresStorageAdapter,
  SqliteStorageAdapter,
  type ApiKeyRecord,
  type AuthEvent,
  type EmailVerificationToken,
  type OrganizationRecord,
  type SessionRecord,
  type StorageAdapter,
  type User,
  type UserRecord,
} from '../../src/index.js';

const pgAdapter: StorageAdapter = new PostgresStorageAdapter('postgres://localhost/db', {
  statementTimeoutMs: 5000,
  maxRetries: 2,
  max: 10,
});
const sqliteAdapter: StorageAdapter = new SqliteStorageAdapter(':memory:');

class UpstreamStyle implements StorageAdapter {
  constructor(private readonly inner: StorageAdapter) {}
  connect = () => this.inner.connect();
  disconnect = () => this.inner.disconnect();
  createApiKey = (d: Omit<ApiKeyRecord, 'id' | 'createdAt'>) => this.inner.createApiKey(d);
  getApiKey = (id: string) => this.inner.getApiKey(id);
  getApiKeyByHash = (h: string) => this.inner.getApiKeyByHash(h);
  getApiKeysByPrefixAndLastFour = (p: string, l: string) => this.inner.getApiKeysByPrefixAndLastFour(p, l);
  updateApiKey = (id: string, d: Partial<ApiKeyRecord>) => this.inner.updateApiKey(id, d);
  deleteApiKey = (id: string) => this.inner.deleteApiKey(id);
  listApiKeys = (p: string) => this.inner.listApiKeys(p);
  createSession = (d: Omit<SessionRecord, 'id' | 'createdAt'>) => this.inner.createSession(d);
  getSession = (id: string) => this.inner.getSession(id);
  updateSession = (id: string, d: Partial<SessionRecord>) => this.inner.updateSession(id, d);
  deleteSession = (id: string) => this.inner.deleteSession(id);
  createOrganization = (d: Omit<OrganizationRecord, 'id' | 'createdAt' | 'updatedAt'>) =>
    this.inner.createOrganization(d);
  getOrganization = (id: string) => this.inner.getOrganization(id);
  updateOrganization = (id: string, d: Partial<OrganizationRecord>) => this.inner.updateOrganization(id, d);
  deleteOrganization = (id: string) => this.inner.deleteOrganization(id);
  createUser: StorageAdapter['createUser'] = (d) => this.inner.createUser(d);
  getUser = (id: string) => this.inner.getUser(id);
  getUserByEmail = (e: string) => this.inner.getUserByEmail(e);
  getUserByOAuth = (p: string, s: string) => this.inner.getUserByOAuth(p, s);
  updateUser: StorageAdapter['updateUser'] = (id, d) => this.inner.updateUser(id, d);
  deleteUser = (id: string) => this.inner.deleteUser(id);
  linkOAuthAccount: StorageAdapter['linkOAuthAccount'] = (u, p, o) => this.inner.linkOAuthAccount(u, p, o);
  createEmailVerificationToken = (d: Omit<EmailVerificationToken, 'id'>) =>
    this.inner.createEmailVerificationToken(d);
  getEmailVerificationTokens = (e: string, t?: string) => this.inner.getEmailVerificationTokens(e, t);
  getEmailVerificationTokenById = (id: string) => this.inner.getEmailVerificationTokenById(id);
  markEmailVerificationTokenAsUsed = (id: string) => this.inner.markEmailVerificationTokenAsUsed(id);
  deleteExpiredEmailVerificationTokens = () => this.inner.deleteExpiredEmailVerificationTokens();
  getEmailVerificationTokenAttempts = (id: string) => this.inner.getEmailVerificationTokenAttempts(id);
  incrementEmailVerificationTokenAttempts = (id: string) =>
    this.inner.incrementEmailVerificationTokenAttempts(id);
  emitEvent = (e: AuthEvent) => this.inner.emitEvent(e);
}

async function typicalUse(storage: StorageAdapter): Promise<User | null> {
  const user: UserRecord = await storage.createUser({ email: 'a@b.c', entitlements: [] });
  const now = new Date();
  await storage.createSession({ userId: user.id, entitlements: [], expiresAt: now, updatedAt: now });
  await storage.createApiKey({
    principalId: user.id,
    hash: 'h',
    prefix: 'p',
    lastFour: '1234',
    scopes: [],
    updatedAt: now,
  });
  await storage.emitEvent({ type: 't', principalId: user.id, data: {}, timestamp: now });
  return storage.getUserByEmail('a@b.c');
}

export const checks = [pgAdapter, sqliteAdapter, UpstreamStyle, typicalUse];
