import { randomBytes } from 'node:crypto';
import { AuthkeepError, ConflictError, IntegrityError } from '../../domain/errors.js';
import type { CacheStore } from '../../ports/cache.js';
import type { Logger } from '../../ports/system.js';
import { cacheKey, CRATE_CACHE_TTL_SECONDS, decodeCacheData, encodeCacheData, ttlMs } from './cache-keys.js';

/** The crate retries an auto-generated key this many times on a collision. */
const AUTO_KEY_ATTEMPTS = 20;
const USER_SESSIONS = 'user_sessions';

export interface PasskeyCacheStoreOptions {
  /**
   * What putWithTtl does with TTL 0, as the crate's store of the same kind: its Redis store sends SET then
   * EXPIRE 0, so the key is deleted ('delete'); its memory store keeps the entry without expiry ('keep',
   * the default). oauth2-passkey 0.6.0 src/storage/cache_store/redis.rs and 0.6.1 memory.rs.
   */
  zeroTtl?: 'delete' | 'keep';
  logger?: Logger;
}

/**
 * The crate's cache store over any CacheStore (memory, Redis, Redis Cluster): keys `cache:{prefix}:{key}`,
 * values `{"value":"<string>"}`. Unlike the crate, a value and its TTL are set in one command, single-use
 * entries are taken atomically (GETDEL, or a compare-and-set on Redis before 6.2), and `user_sessions` is
 * updated with a compare-and-set, so our writes never drop a session id.
 */
export class PasskeyCacheStore {
  private readonly zeroTtl: 'delete' | 'keep';
  private readonly logger: Logger | undefined;
  /** Set once GETDEL was refused as an unknown command (Redis before 6.2). */
  private getdelMissing = false;

  constructor(
    private readonly cache: CacheStore,
    options: PasskeyCacheStoreOptions = {},
  ) {
    this.zeroTtl = options.zeroTtl ?? 'keep';
    this.logger = options.logger;
  }

  async get(prefix: string, key: string): Promise<string | null> {
    const raw = await this.cache.get(cacheKey(prefix, key));
    return raw === null ? null : decodeCacheData(raw, prefix);
  }

  /** SET without expiry. */
  async put(prefix: string, key: string, value: string): Promise<void> {
    await this.cache.set(cacheKey(prefix, key), encodeCacheData(value));
  }

  /** SET with the TTL in one command; TTL 0 as the crate's store of this kind (see zeroTtl). */
  async putWithTtl(prefix: string, key: string, value: string, ttlSeconds: number): Promise<void> {
    const full = cacheKey(prefix, key);
    const data = encodeCacheData(value);
    const ms = ttlMs(ttlSeconds);
    if (ms === 0 && this.zeroTtl === 'delete') {
      // SET then EXPIRE 0 leaves no key: the same end state in one command.
      await this.cache.delete(full);
      return;
    }
    await this.cache.set(full, data, ms);
  }

  /** SET NX with the TTL in the same command; true when stored. TTL 0 is no expiry, as the crate's SETNX. */
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

  /**
   * Atomic get-and-delete, for single-use entries (challenges, CSRF, nonce, PKCE): one caller wins.
   * GETDEL needs Redis 6.2; an older server refuses it, and from then on the take is a read and a
   * compare-and-delete (a Lua script, Redis 2.6+), still atomic. The crate itself does GET then DEL.
   */
  async take(prefix: string, key: string): Promise<string | null> {
    const full = cacheKey(prefix, key);
    let raw: string | null;
    if (this.getdelMissing) {
      raw = await this.takeByCompareAndSet(full);
    } else {
      try {
        raw = await this.cache.take(full);
      } catch (error) {
        if (!isUnknownGetdel(error)) throw error;
        // Concurrent takes may all meet the refusal: the warning goes out once.
        if (!this.getdelMissing) this.warnGetdelMissing();
        raw = await this.takeByCompareAndSet(full);
      }
    }
    return raw === null ? null : decodeCacheData(raw, prefix);
  }

  private warnGetdelMissing(): void {
    this.getdelMissing = true;
    this.logger?.warn(
      { command: 'GETDEL', minimumRedis: '6.2' },
      'Redis does not know GETDEL (before 6.2): single-use entries are taken with a compare-and-set instead',
    );
  }

  private async takeByCompareAndSet(full: string): Promise<string | null> {
    let taken: string | null = null;
    // update() retries until its compare-and-set lands: the last value it saw is the one it deleted.
    await this.cache.update(full, (current) => {
      taken = current;
      return null;
    });
    return taken;
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

  /** Adds the id only while the user's list is empty (atomically); false, changing nothing, otherwise. */
  async addUserSessionIfNone(userId: string, sessionId: string): Promise<boolean> {
    let added = false;
    await this.updateUserSessions(userId, (ids) => {
      added = ids.length === 0 || (ids.length === 1 && ids[0] === sessionId);
      return added ? [sessionId] : ids;
    });
    return added;
  }

  /** Replaces the user's list with `sessionIds` (atomically); returns the ids it held before. */
  async swapUserSessions(userId: string, sessionIds: string[]): Promise<string[]> {
    let previous: string[] = [];
    await this.updateUserSessions(userId, (ids) => {
      previous = ids;
      return sessionIds;
    });
    return previous;
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

/** A Redis reply refusing GETDEL as an unknown command, as RedisCache reports it (its cause keeps the message). */
function isUnknownGetdel(error: unknown): boolean {
  if (!(error instanceof AuthkeepError) || error.code !== 'internal') return false;
  const cause = (error as { cause?: unknown }).cause;
  const message = cause instanceof Error ? cause.message : '';
  return /unknown command/i.test(message) && /getdel/i.test(message);
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
