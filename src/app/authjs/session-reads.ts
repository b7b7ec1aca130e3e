import { hash } from 'node:crypto';
import type { AuthjsSession, AuthjsStore, AuthjsUser } from '../../ports/authjs-store.js';
import { cacheKeys, type RecordCodec } from '../cache/cache-codec.js';
import type { RecordReadThrough } from '../cache/tiered-records.js';

/** A session with its user, flat, as the record cache keeps it (top-level Dates only; none nullable). */
interface CachedSessionAndUser {
  userId: string;
  expires: Date;
  id: string;
  name: string | null;
  email: string | null;
  emailVerifiedMs: number | null;
  image: string | null;
}

const codec: RecordCodec<CachedSessionAndUser> = { dateFields: ['expires'] };

/** Lowercase hex SHA-256 of a session token: the stored key when hashing is on, and the cache key always. */
export function sessionTokenDigest(token: string): string {
  return hash('sha256', token, 'hex');
}

export function isSessionTokenDigest(value: string): boolean {
  return /^[0-9a-f]{64}$/.test(value);
}

/** Under the kitium session key space (so owner revocation and outage flushes cover it), in a sub-space of its own. */
function cacheKey(token: string): string {
  return cacheKeys.session(`authjs.${sessionTokenDigest(token)}`);
}

/**
 * getSessionAndUser through the record cache when one is configured. Every write that can change what it
 * returns invalidates: the session's own key (update, delete, create), or the whole user (update, delete,
 * unlink), through the cache's owner revocation, which reaches other processes' in-process tiers.
 */
export class SessionReads {
  constructor(
    private readonly store: AuthjsStore,
    private readonly cache: RecordReadThrough | undefined,
    /** The "sessionToken" column's value for a caller's token. */
    readonly storedKey: (token: string) => string,
  ) {}

  async read(token: string): Promise<{ session: AuthjsSession; user: AuthjsUser } | null> {
    const load = () => this.store.getSessionAndUser(this.storedKey(token));
    if (!this.cache) return load();
    const cached = await this.cache.read(
      cacheKey(token),
      codec,
      async () => flatten(await load()),
      (record) => ({ owner: record.userId, expiresAt: record.expires }),
    );
    return cached ? unflatten(cached, this.storedKey(token)) : null;
  }

  /** After a write that created the session: a cached "no such session" must not hide it. */
  async created(token: string): Promise<void> {
    await this.cache?.forget(cacheKey(token));
  }

  async changed(token: string): Promise<void> {
    await this.cache?.invalidate(cacheKey(token));
  }

  async userChanged(userId: string): Promise<void> {
    await this.cache?.revokeOwner(userId);
  }
}

function flatten(found: { session: AuthjsSession; user: AuthjsUser } | null): CachedSessionAndUser | null {
  if (!found) return null;
  const { session, user } = found;
  return {
    userId: session.userId,
    expires: session.expires,
    id: user.id,
    name: user.name,
    email: user.email,
    emailVerifiedMs: user.emailVerified ? user.emailVerified.getTime() : null,
    image: user.image,
  };
}

function unflatten(record: CachedSessionAndUser, key: string): { session: AuthjsSession; user: AuthjsUser } {
  return {
    session: { key, userId: record.userId, expires: record.expires },
    user: {
      id: record.id,
      name: record.name,
      email: record.email,
      emailVerified: record.emailVerifiedMs === null ? null : new Date(record.emailVerifiedMs),
      image: record.image,
    },
  };
}
