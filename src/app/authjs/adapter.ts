import type {
  AdapterAccount,
  AdapterAuthenticator,
  AdapterSession,
  AdapterUser,
  VerificationToken,
} from '@auth/core/adapters';
import type { AuthkeepAdapter } from './adapter-type.js';
import { ConfigError, NotFoundError } from '../../domain/errors.js';
import { openKitiumCache } from '../cache/kitium-cache.js';
import { AccountTokens } from './account-tokens.js';
import {
  requireCounter,
  requireDate,
  requireText,
  toAdapterAccount,
  toAdapterAuthenticator,
  toAdapterSession,
  toAdapterUser,
  toStoredAccount,
  toStoredAuthenticator,
  userFields,
} from './mapping.js';
import { systemClock } from '../../adapters/system/clock.js';
import { authjsCipher, openAuthjsStore, type AuthkeepAdapterOptions, type OpenedAuthjs } from './options.js';
import { SessionReads, sessionTokenDigest } from './session-reads.js';

export type { AuthkeepAdapter };

type AccountKey = Pick<AdapterAccount, 'provider' | 'providerAccountId'>;

function accountKey(key: AccountKey) {
  return {
    provider: requireText(key?.provider, 'provider'),
    providerAccountId: requireText(key?.providerAccountId, 'providerAccountId'),
  };
}

/**
 * `cache: 'memory'` on PostgreSQL keeps processes coherent over LISTEN/NOTIFY, which needs a direct URL:
 * without one it would silently be a single-process cache, so it is a config error (as for the kitium facades).
 */
function assertBusReachable(options: AuthkeepAdapterOptions, opened: OpenedAuthjs): void {
  if (options.cache !== 'memory' || opened.dialect !== 'postgres' || opened.postgres) return;
  if (options.cacheOptions?.bus === 'off') return;
  throw new ConfigError(
    "cache: 'memory' keeps processes coherent with LISTEN/NOTIFY, which needs a direct connection: " +
      "set directUrl (with your own pool or behind a transaction pooler), or cacheOptions.bus: 'off'",
  );
}

/**
 * An Auth.js `Adapter` on authkeep: Auth.js's own tables (see `tables`), getSessionAndUser in one prepared
 * round trip and, with `cache`, from authkeep's record cache with revocation on every write.
 */
export function authkeepAdapter(options: AuthkeepAdapterOptions): AuthkeepAdapter {
  const cipher = authjsCipher(options);
  const opened = openAuthjsStore(options);
  const { store, logger } = opened;
  let cache;
  try {
    assertBusReachable(options, opened);
    cache = openKitiumCache(
      { cache: options.cache, ...(options.cacheOptions ? { cacheOptions: options.cacheOptions } : {}) },
      logger,
      options.clock ?? systemClock,
      { cipher, env: options.env, postgres: opened.postgres, notify: opened.notify },
    );
    // The invalidation bus opens now, so the first revocation does not wait for (or miss) the subscription.
    cache?.start();
  } catch (error) {
    void store.close();
    throw error;
  }
  const storedKey = options.hashSessionTokens ? sessionTokenDigest : (token: string) => token;
  const sessions = new SessionReads(store, cache?.records, storedKey);
  const tokens = new AccountTokens(cipher, opened.layoutTables.accounts!, options.sealAccountTokens === true);

  return {
    async createUser(user: AdapterUser) {
      // The id Auth.js proposes is not kept: the layout numbers users (SERIAL) or we make a UUIDv7.
      const fields = userFields(user);
      const created = await store.createUser({
        name: fields.name ?? null,
        email: fields.email ?? null,
        emailVerified: fields.emailVerified ?? null,
        image: fields.image ?? null,
      });
      return toAdapterUser(created);
    },
    async getUser(id: string) {
      const user = await store.getUser(requireText(id, 'id'));
      return user && toAdapterUser(user);
    },
    async getUserByEmail(email: string) {
      const user = await store.getUserByEmail(requireText(email, 'email'));
      return user && toAdapterUser(user);
    },
    async getUserByAccount(key: AccountKey) {
      const user = await store.getUserByAccount(accountKey(key));
      return user && toAdapterUser(user);
    },
    async updateUser(user: Partial<AdapterUser> & Pick<AdapterUser, 'id'>) {
      const id = requireText(user?.id, 'id');
      try {
        const updated = await store.updateUser(id, userFields(user));
        if (!updated) throw new NotFoundError('no user with this id', { details: { entity: 'user' } });
        return toAdapterUser(updated);
      } finally {
        await sessions.userChanged(id);
      }
    },
    async deleteUser(userId: string) {
      const id = requireText(userId, 'userId');
      try {
        const deleted = await store.deleteUser(id);
        return deleted && toAdapterUser(deleted);
      } finally {
        await sessions.userChanged(id);
      }
    },
    async linkAccount(account: AdapterAccount) {
      await store.linkAccount(tokens.seal(toStoredAccount(account)));
      return account;
    },
    async unlinkAccount(key: AccountKey) {
      const removed = await store.unlinkAccount(accountKey(key));
      if (!removed) return undefined;
      await sessions.userChanged(removed.userId);
      return toAdapterAccount(tokens.open(removed));
    },
    async getAccount(providerAccountId: string, provider: string) {
      const account = await store.getAccount(accountKey({ provider, providerAccountId }));
      return account && toAdapterAccount(tokens.open(account));
    },
    async createSession(session: { sessionToken: string; userId: string; expires: Date }) {
      const token = requireText(session?.sessionToken, 'sessionToken');
      const userId = requireText(session.userId, 'userId');
      const expires = requireDate(session.expires, 'expires');
      try {
        await store.createSession({ key: storedKey(token), userId, expires });
      } finally {
        await sessions.created(token);
      }
      return toAdapterSession(token, { userId, expires });
    },
    async getSessionAndUser(sessionToken: string) {
      if (typeof sessionToken !== 'string' || sessionToken.length === 0) return null;
      const found = await sessions.read(sessionToken);
      if (!found) return null;
      return { session: toAdapterSession(sessionToken, found.session), user: toAdapterUser(found.user) };
    },
    async updateSession(session: Partial<AdapterSession> & Pick<AdapterSession, 'sessionToken'>) {
      const token = requireText(session?.sessionToken, 'sessionToken');
      const patch = {
        ...(session.expires !== undefined ? { expires: requireDate(session.expires, 'expires') } : {}),
        ...(session.userId !== undefined ? { userId: requireText(session.userId, 'userId') } : {}),
      };
      try {
        const updated = await store.updateSession(storedKey(token), patch);
        return updated && toAdapterSession(token, updated);
      } finally {
        await sessions.changed(token);
      }
    },
    async deleteSession(sessionToken: string) {
      const token = requireText(sessionToken, 'sessionToken');
      try {
        const deleted = await store.deleteSession(storedKey(token));
        return deleted && toAdapterSession(token, deleted);
      } finally {
        await sessions.changed(token);
      }
    },
    async createVerificationToken(token: VerificationToken) {
      const identifier = requireText(token?.identifier, 'identifier');
      const value = requireText(token.token, 'token');
      const expires = requireDate(token.expires, 'expires');
      await store.createVerificationToken({ identifier, token: value, expires });
      return { identifier, token: value, expires };
    },
    async useVerificationToken(params: { identifier: string; token: string }) {
      const identifier = requireText(params?.identifier, 'identifier');
      return store.useVerificationToken(identifier, requireText(params.token, 'token'));
    },
    async getAuthenticator(credentialID: string) {
      const found = await store.getAuthenticator(requireText(credentialID, 'credentialID'));
      return found && toAdapterAuthenticator(found);
    },
    async createAuthenticator(authenticator: AdapterAuthenticator) {
      const stored = toStoredAuthenticator(authenticator);
      await store.createAuthenticator(stored);
      return toAdapterAuthenticator(stored);
    },
    async listAuthenticatorsByUserId(userId: string) {
      const found = await store.listAuthenticatorsByUserId(requireText(userId, 'userId'));
      return found.map(toAdapterAuthenticator);
    },
    async updateAuthenticatorCounter(credentialID: string, newCounter: number) {
      const id = requireText(credentialID, 'credentialID');
      const updated = await store.updateAuthenticatorCounter(id, requireCounter(newCounter));
      if (!updated)
        throw new NotFoundError('no authenticator with this credentialID', {
          details: { entity: 'authenticator' },
        });
      return toAdapterAuthenticator(updated);
    },
    async close() {
      const results = await Promise.allSettled([cache?.close(), store.close()]);
      const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
      if (failed) throw failed.reason;
    },
  };
}
