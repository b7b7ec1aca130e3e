import { randomBytes } from 'node:crypto';
import { IntegrityError, ValidationError } from '../../domain/errors.js';
import type { Clock } from '../../ports/system.js';
import { CRATE_CACHE_TTL_SECONDS } from './cache-keys.js';
import type { PasskeyCacheStore } from './cache-store.js';

/** A login session as the crate stores it under `cache:session:{session_id}`. */
export interface PasskeySession {
  userId: string;
  csrfToken: string;
  expiresAt: Date;
  /** Seconds. */
  ttl: number;
}

/** chrono's serde form of a DateTime<Utc>: RFC 3339 with `Z` and 0/3 fraction digits for millisecond values. */
function chronoJson(date: Date): string {
  return date.toISOString().replace('.000Z', 'Z');
}

function decodeSession(value: string): PasskeySession {
  let data: Record<string, unknown> = {};
  try {
    data = (JSON.parse(value) ?? {}) as Record<string, unknown>;
  } catch {
    // Falls through to the shape check below.
  }
  const expiresAt = typeof data.expires_at === 'string' ? new Date(data.expires_at) : new Date(Number.NaN);
  if (
    typeof data.user_id !== 'string' ||
    typeof data.csrf_token !== 'string' ||
    Number.isNaN(expiresAt.getTime()) ||
    typeof data.ttl !== 'number'
  ) {
    throw new IntegrityError("session entry does not have the crate's shape", {
      details: { prefix: 'session' },
    });
  }
  return { userId: data.user_id, csrfToken: data.csrf_token, expiresAt, ttl: data.ttl };
}

/**
 * Sessions the crate can read: stored under a fresh 43-character id and added to the user's `user_sessions`
 * list, which SESSION_CONFLICT_POLICY and admin force-logout rely on.
 */
export class PasskeySessionCache {
  /**
   * @param defaultTtlSeconds the TTL of a session created without one: SESSION_COOKIE_MAX_AGE when the
   *   stores come from createPasskeyStores, else the crate's default (600).
   */
  constructor(
    private readonly cache: PasskeyCacheStore,
    private readonly clock: Clock = { now: () => new Date() },
    private readonly defaultTtlSeconds: number = CRATE_CACHE_TTL_SECONDS.session,
  ) {}

  async createSession(
    userId: string,
    options: { ttlSeconds?: number; csrfToken?: string } = {},
  ): Promise<{ sessionId: string; session: PasskeySession }> {
    const ttl = options.ttlSeconds ?? this.defaultTtlSeconds;
    // A session with TTL 0 would never expire in our stores while the crate's expires_at check rejects it
    // (and Redis EXPIRE 0, which the crate sends, deletes it): refused.
    if (typeof ttl !== 'number' || !Number.isSafeInteger(ttl) || ttl < 1) {
      throw new ValidationError('ttlSeconds must be a whole number of seconds, 1 or more', {
        details: { field: 'ttlSeconds' },
      });
    }
    const session: PasskeySession = {
      userId,
      csrfToken: options.csrfToken ?? randomBytes(32).toString('base64url'),
      expiresAt: new Date(this.clock.now().getTime() + ttl * 1000),
      ttl,
    };
    const payload = JSON.stringify({
      user_id: session.userId,
      csrf_token: session.csrfToken,
      expires_at: chronoJson(session.expiresAt),
      ttl: session.ttl,
    });
    const sessionId = await this.cache.putWithGeneratedKey('session', payload, ttl);
    await this.cache.addUserSession(userId, sessionId);
    return { sessionId, session };
  }

  /** The session, or null when missing or past its expires_at (the crate checks both). */
  async getSession(sessionId: string): Promise<PasskeySession | null> {
    const value = await this.cache.get('session', sessionId);
    if (value === null) return null;
    const session = decodeSession(value);
    return session.expiresAt.getTime() < this.clock.now().getTime() ? null : session;
  }

  /** Logout: removes the session and its id from the user's list. */
  async deleteSession(sessionId: string): Promise<void> {
    const value = await this.cache.take('session', sessionId);
    if (value === null) return;
    await this.cache.removeUserSessions(decodeSession(value).userId, sessionId);
  }

  /** Admin force-logout: removes every session of the user and the list itself. */
  async deleteUserSessions(userId: string): Promise<number> {
    const ids = await this.cache.getUserSessions(userId);
    await Promise.all(ids.map((id) => this.cache.remove('session', id)));
    await this.cache.removeUserSessions(userId, ...ids);
    return ids.length;
  }
}
