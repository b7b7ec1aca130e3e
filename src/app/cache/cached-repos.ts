import type {
  ApiKeyRepo,
  PatchWithExtra,
  SessionRepo,
  StoredApiKey,
  StoredSession,
  UserRepo,
} from '../../ports/repos.js';
import type { ApiKeyRecord, SessionRecord } from '../../domain/records/records.js';
import { isAuthkeepError } from '../../domain/errors.js';
import { cacheKeys, type RecordCodec } from './cache-codec.js';
import { withinRevocationBound, type RecordReadThrough } from './tiered-records.js';

const sessionCodec: RecordCodec<StoredSession> = { dateFields: ['expiresAt', 'createdAt', 'updatedAt'] };
const apiKeyCodec: RecordCodec<StoredApiKey> = { dateFields: ['expiresAt', 'createdAt', 'updatedAt'] };

/**
 * Runs a database write, then invalidates, even when the write failed (it may have committed anyway), all
 * within the cache's revocation bound: past it, or when the invalidation is not confirmed, the call fails
 * with a retryable UnavailableError (the write may stand; the caller repeats the call until it succeeds).
 */
function writeThenInvalidate<T>(
  cache: RecordReadThrough,
  write: () => Promise<T>,
  invalidate: () => Promise<void>,
): Promise<T> {
  const work = (async () => {
    let result: T;
    try {
      result = await write();
    } catch (error) {
      // The write may have committed (or, as not_found, an earlier attempt did): its invalidation must be
      // confirmed before the write's own error is reported, else a retry would look done while it is not.
      if (isAuthkeepError(error) && !error.retryable && error.code !== 'not_found') {
        await invalidate().catch(() => undefined);
        throw error;
      }
      await invalidate();
      throw error;
    }
    await invalidate();
    return result;
  })();
  return withinRevocationBound(work, cache.revokeTimeoutMs);
}

/** SessionRepo with read-through caching of findByKey (the key is the token digest; the token never reaches the cache). */
export class CachedSessionRepo implements SessionRepo {
  constructor(
    private readonly inner: SessionRepo,
    private readonly cache: RecordReadThrough,
  ) {}

  /**
   * No cache work: the only caller inserts under the digest of a token it just minted (256 random bits), which
   * no process can have looked up, so no tier can hold an entry, not even "none", for it.
   */
  insert(key: string, session: StoredSession): Promise<void> {
    return this.inner.insert(key, session);
  }

  findByKey(key: string): Promise<StoredSession | null> {
    return this.cache.read(
      cacheKeys.session(key),
      sessionCodec,
      () => this.inner.findByKey(key),
      (session) => ({ owner: session.userId, expiresAt: session.expiresAt }),
    );
  }

  update(
    key: string,
    patch: PatchWithExtra<Omit<SessionRecord, 'id'>>,
    updatedAt: Date,
  ): Promise<StoredSession | null> {
    return writeThenInvalidate(
      this.cache,
      () => this.inner.update(key, patch, updatedAt),
      () => this.cache.invalidate(cacheKeys.session(key)),
    );
  }

  delete(key: string): Promise<void> {
    return writeThenInvalidate(
      this.cache,
      () => this.inner.delete(key),
      () => this.cache.invalidate(cacheKeys.session(key)),
    );
  }

  /** Expired sessions left the cache by TTL already (a cached session never outlives its expiry). */
  deleteExpired(now: Date, limit: number): Promise<number> {
    return this.inner.deleteExpired(now, limit);
  }
}

/**
 * ApiKeyRepo with read-through caching of findByHash. Writes address a key by id, so the hash it was cached
 * under is read from the database first; the old and the new hash are both invalidated.
 */
export class CachedApiKeyRepo implements ApiKeyRepo {
  constructor(
    private readonly inner: ApiKeyRepo,
    private readonly cache: RecordReadThrough,
  ) {}

  insert(record: StoredApiKey): Promise<StoredApiKey> {
    return writeThenInvalidate(
      this.cache,
      () => this.inner.insert(record),
      () => this.cache.forget(cacheKeys.apiKey(record.hash)),
    );
  }

  findById(id: string): Promise<StoredApiKey | null> {
    return this.inner.findById(id);
  }

  findByHash(hash: string): Promise<StoredApiKey | null> {
    return this.cache.read(
      cacheKeys.apiKey(hash),
      apiKeyCodec,
      () => this.inner.findByHash(hash),
      (record) => ({ owner: record.principalId, expiresAt: record.expiresAt }),
    );
  }

  findByPrefixAndLastFour(prefix: string, lastFour: string): Promise<StoredApiKey[]> {
    return this.inner.findByPrefixAndLastFour(prefix, lastFour);
  }

  listByPrincipal(principalId: string): Promise<StoredApiKey[]> {
    return this.inner.listByPrincipal(principalId);
  }

  async update(
    id: string,
    patch: PatchWithExtra<ApiKeyRecord>,
    updatedAt: Date,
  ): Promise<StoredApiKey | null> {
    const before = await this.inner.findById(id);
    let after: StoredApiKey | null = null;
    return writeThenInvalidate(
      this.cache,
      async () => (after = await this.inner.update(id, patch, updatedAt)),
      () => this.cache.invalidate(...hashKeys(before?.hash, after?.hash, patch.hash)),
    );
  }

  async delete(id: string): Promise<void> {
    const before = await this.inner.findById(id);
    return writeThenInvalidate(
      this.cache,
      () => this.inner.delete(id),
      () => this.cache.invalidate(...hashKeys(before?.hash)),
    );
  }
}

function hashKeys(...hashes: (string | undefined)[]): string[] {
  const present = hashes.filter((hash): hash is string => typeof hash === 'string');
  return [...new Set(present)].map((hash) => cacheKeys.apiKey(hash));
}

/** UserRepo whose delete also revokes the user's cached sessions and API keys, through the per-user index. */
export class RevokingUserRepo implements UserRepo {
  readonly insert: UserRepo['insert'];
  readonly findById: UserRepo['findById'];
  readonly findByEmail: UserRepo['findByEmail'];
  readonly findByOAuth: UserRepo['findByOAuth'];
  readonly update: UserRepo['update'];
  readonly linkOAuth: UserRepo['linkOAuth'];

  constructor(
    private readonly inner: UserRepo,
    private readonly cache: RecordReadThrough,
  ) {
    this.insert = inner.insert.bind(inner);
    this.findById = inner.findById.bind(inner);
    this.findByEmail = inner.findByEmail.bind(inner);
    this.findByOAuth = inner.findByOAuth.bind(inner);
    this.update = inner.update.bind(inner);
    this.linkOAuth = inner.linkOAuth.bind(inner);
  }

  delete(id: string): Promise<void> {
    return writeThenInvalidate(
      this.cache,
      () => this.inner.delete(id),
      () => this.cache.revokeOwner(id),
    );
  }
}
