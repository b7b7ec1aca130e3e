import { randomBytes } from 'node:crypto';
import { ConflictError, IntegrityError } from '../../domain/errors.js';
import type { CacheStore } from '../../ports/cache.js';
import { cacheKey, CRATE_CACHE_TTL_SECONDS, decodeCacheData, encodeCacheData, ttlMs } from './cache-keys.js';

/** The crate retries an auto-generated key this many times on a collision. */
const AUTO_KEY_ATTEMPTS = 20;
const USER_SESSIONS = 'user_sessions';

/**
 * The crate's cache store over any CacheStore (memory, Redis, Redis Cluster): keys `cache:{prefix}:{key}`,
 * values `{"value":"<string>"}`. Unlike the crate, a value and its TTL are set in one command, TTL 0 means
 * "no expiry" on every backend, single-use entries are taken atomically, and `user_sessions` is updated
 * with a compare-and-set, so concurrent logins never drop a session id.
 */
export class PasskeyCacheStore {
  constructor(private readonly cache: CacheStore) {}

  async get(prefix: string, key: string): Promise<string | null> {
    const raw = await this.cache.get(cacheKey(prefix, key));
    return raw === null ? null : decodeCacheData(raw, prefix);
  }

  /** SET without expiry. */
  async put(prefix: string, key: string, value: string): Promise<void> {
    await this.cache.set(cacheKey(prefix, key), encodeCacheData(value));
  }

  async putWithTtl(prefix: string, key: string, value: string, ttlSeconds: number): Promise<void> {
    await this.cache.set(cacheKey(prefix, key), encodeCacheData(value), ttlMs(ttlSeconds));
  }

  /** SET NX with the TTL in the same command; true when stored. */
  async putIfNotExists(prefix: string, key: string, value: string, ttlSeconds: number): Promise<boolean> {
    return this.cache.setIfAbsent(cacheKey(prefix, key), encodeCacheData(value), ttlMs(ttlSeconds));
  }

  /**
   * Stores under a fresh key, base64url of 32 random bytes (43 characters) as the crate makes them,
   * inserted with putIfNotExists and retried on collision; returns the key.
   */
  async putWithGeneratedKey(prefix: string, value: string, ttlSeconds: number): Promise<string> {
    for (let attempt = 0; attempt < AUTO_KEY_ATTEMPTS; attempt++) {
      const key = randomBytes(32).toString('base64url');
      if (await this.putIfNotExists(prefix, key, value, ttlSeconds)) return key;
    }
    throw new ConflictError(`no free cache key under ${prefix} after ${AUTO_KEY_ATTEMPTS} attempts`);
  }

  /** Atomic get-and-delete, for single-use entries (challenges, CSRF, nonce, PKCE): one caller wins. */
  async take(prefix: string, key: string): Promise<string | null> {
    const raw = await this.cache.take(cacheKey(prefix, key));
    return raw === null ? null : decodeCacheData(raw, prefix);
  }

  async remove(prefix: string, key: string): Promise<void> {
    await this.cache.delete(cacheKey(prefix, key));
  }

  // ---- user_sessions: user id → JSON array of session ids ---------------------------------------------

  async getUserSessions(userId: string): Promise<string[]> {
    const value = await this.get(USER_SESSIONS, userId);
    return value === null ? [] : parseSessionIds(value);
  }

  /** Adds a session id to the user's list (atomically), refreshing the list's 30-day TTL. */
  async addUserSession(userId: string, sessionId: string): Promise<string[]> {
    return this.updateUserSessions(userId, (ids) => (ids.includes(sessionId) ? ids : [...ids, sessionId]));
  }

  /** Removes session ids from the user's list (atomically); the entry goes when the list is empty. */
  async removeUserSessions(userId: string, ...sessionIds: string[]): Promise<string[]> {
    return this.updateUserSessions(userId, (ids) => ids.filter((id) => !sessionIds.includes(id)));
  }

  /** Drops ids whose `session` entry is gone (expired or logged out), as the crate prunes lazily. */
  async pruneUserSessions(userId: string): Promise<string[]> {
    const ids = await this.getUserSessions(userId);
    const present = await Promise.all(
      ids.map(async (id) => (await this.cache.get(cacheKey('session', id))) !== null),
    );
    const stale = ids.filter((_, index) => !present[index]);
    return stale.length === 0 ? ids : this.removeUserSessions(userId, ...stale);
  }

  private async updateUserSessions(userId: string, change: (ids: string[]) => string[]): Promise<string[]> {
    const key = cacheKey(USER_SESSIONS, userId);
    let result: string[] = [];
    await this.cache.update(
      key,
      (current) => {
        const ids = current === null ? [] : parseSessionIds(decodeCacheData(current, USER_SESSIONS));
        result = change(ids);
        return result.length === 0 ? null : encodeCacheData(JSON.stringify(result));
      },
      CRATE_CACHE_TTL_SECONDS.user_sessions * 1000,
    );
    return result;
  }

  async close(): Promise<void> {
    await this.cache.close();
  }
}

function parseSessionIds(value: string): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    parsed = undefined;
  }
  if (!Array.isArray(parsed) || !parsed.every((id) => typeof id === 'string')) {
    throw new IntegrityError('user_sessions entry is not a JSON array of session ids', {
      details: { prefix: USER_SESSIONS },
    });
  }
  return parsed as string[];
}
