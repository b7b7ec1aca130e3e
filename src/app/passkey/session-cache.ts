import { randomBytes } from 'node:crypto';
import { ConflictError, IntegrityError, ValidationError } from '../../domain/errors.js';
import { checkCrateSessionId, checkCrateUserId } from '../../domain/passkey/crate-ids.js';
import type { Clock } from '../../ports/system.js';
import { CRATE_CACHE_TTL_SECONDS } from './cache-keys.js';
import type { PasskeyCacheStore } from './cache-store.js';
import type { SessionConflictPolicy } from './env-config.js';

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

function rejected(policy: SessionConflictPolicy): ConflictError {
  // The crate's SessionError::SessionConflictRejected (session/errors.rs, 0.6.1).
  return new ConflictError('session conflict: an active session already exists for this user', {
    details: { policy },
  });
}

/**
 * Sessions the crate can read: stored under a fresh 43-character id and added to the user's `user_sessions`
 * list, which SESSION_CONFLICT_POLICY and admin force-logout rely on. A login first drops the list's ids
 * whose session is gone, then applies the policy, as the crate's `create_new_session_with_uid` does
 * (session/main/session.rs and user_sessions.rs `cleanup_stale_sessions`, 0.6 era).
 */
export class PasskeySessionCache {
  /**
   * @param defaultTtlSeconds the TTL of a session created without one: SESSION_COOKIE_MAX_AGE when the
   *   stores come from createPasskeyStores, else the crate's default (600).
   * @param conflictPolicy SESSION_CONFLICT_POLICY: allow (default), replace or reject.
   */
  constructor(
    private readonly cache: PasskeyCacheStore,
    private readonly clock: Clock = { now: () => new Date() },
    private readonly defaultTtlSeconds: number = CRATE_CACHE_TTL_SECONDS.session,
    private readonly conflictPolicy: SessionConflictPolicy = 'allow',
  ) {}

  /**
   * A login. With `reject`, a user who still has a live session gets a `conflict` error (the crate's
   * SessionConflictRejected) and nothing is written; with `replace`, the user's other sessions are deleted.
   * Both are decided by one compare-and-set on `user_sessions`, so of concurrent logins through this
   * store exactly one wins under `reject`, and exactly one session survives under `replace`.
   * TTL 0 is the crate's: stored without expiry (its SETNX skips EXPIRE 0), expires_at = now.
   */
  async createSession(
    userId: string,
    options: { ttlSeconds?: number; csrfToken?: string } = {},
  ): Promise<{ sessionId: string; session: PasskeySession }> {
    checkCrateUserId(userId, 'userId');
    const ttl = options.ttlSeconds ?? this.defaultTtlSeconds;
    if (typeof ttl !== 'number' || !Number.isSafeInteger(ttl) || ttl < 0) {
      throw new ValidationError('ttlSeconds must be a whole number of seconds, 0 or more', {
        details: { field: 'ttlSeconds' },
      });
    }
    const active = await this.cache.pruneUserSessions(userId);
    if (this.conflictPolicy === 'reject' && active.length > 0) throw rejected(this.conflictPolicy);
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
    const sessionId = checkCrateSessionId(await this.cache.putWithGeneratedKey('session', payload, ttl));
    try {
      await this.register(userId, sessionId);
    } catch (error) {
      await this.cache.remove('session', sessionId);
      throw error;
    }
    return { sessionId, session };
  }

  /** Lists the new id under the user's sessions as the policy says; the losing side of a race is undone. */
  private async register(userId: string, sessionId: string): Promise<void> {
    if (this.conflictPolicy === 'allow') {
      await this.cache.addUserSession(userId, sessionId);
      return;
    }
    if (this.conflictPolicy === 'replace') {
      const previous = await this.cache.swapUserSessions(userId, [sessionId]);
      await Promise.all(
        previous.filter((id) => id !== sessionId).map((id) => this.cache.remove('session', id)),
      );
      return;
    }
    // reject: added only while the list is empty; an id listed meanwhile may be stale, so prune and retry.
    for (let attempt = 0; attempt < 3; attempt += 1) {
      if (await this.cache.addUserSessionIfNone(userId, sessionId)) return;
      if ((await this.cache.pruneUserSessions(userId)).length > 0) break;
    }
    throw rejected(this.conflictPolicy);
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
