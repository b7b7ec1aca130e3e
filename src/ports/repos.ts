import type {
  ApiKeyRecord,
  AuthEvent,
  EmailVerificationToken,
  OAuthLink,
  OrganizationRecord,
  SessionRecord,
  UserRecord,
} from '../domain/records.js';

/** A partial update: a key present with `undefined` clears that optional column. */
export type Patch<T> = Partial<T>;

export interface ApiKeyRepo {
  insert(record: ApiKeyRecord): Promise<ApiKeyRecord>;
  findById(id: string): Promise<ApiKeyRecord | null>;
  findByHash(hash: string): Promise<ApiKeyRecord | null>;
  findByPrefixAndLastFour(prefix: string, lastFour: string): Promise<ApiKeyRecord[]>;
  listByPrincipal(principalId: string): Promise<ApiKeyRecord[]>;
  /** Returns null when no row has this id. */
  update(id: string, patch: Patch<ApiKeyRecord>, updatedAt: Date): Promise<ApiKeyRecord | null>;
  delete(id: string): Promise<void>;
}

/** A session as stored: looked up by `key`, a digest of the bearer token; the token itself is never stored. */
export type StoredSession = Omit<SessionRecord, 'id'>;

export interface SessionRepo {
  insert(key: string, session: StoredSession): Promise<void>;
  findByKey(key: string): Promise<StoredSession | null>;
  update(key: string, patch: Patch<StoredSession>, updatedAt: Date): Promise<StoredSession | null>;
  delete(key: string): Promise<void>;
  /** Removes sessions whose expiry is before `now`; returns how many. */
  deleteExpired(now: Date, limit: number): Promise<number>;
}

export interface OrganizationRepo {
  insert(record: OrganizationRecord): Promise<OrganizationRecord>;
  findById(id: string): Promise<OrganizationRecord | null>;
  update(id: string, patch: Patch<OrganizationRecord>, updatedAt: Date): Promise<OrganizationRecord | null>;
  delete(id: string): Promise<void>;
}

export interface UserRepo {
  /** Throws ConflictError when the normalised email is taken. */
  insert(record: UserRecord): Promise<UserRecord>;
  findById(id: string): Promise<UserRecord | null>;
  findByEmail(normalizedEmail: string): Promise<UserRecord | null>;
  findByOAuth(provider: string, sub: string): Promise<UserRecord | null>;
  update(id: string, patch: Patch<UserRecord>, updatedAt: Date): Promise<UserRecord | null>;
  /** Deletes the user and everything that belongs to them, atomically. */
  delete(id: string): Promise<void>;
  /** Throws ConflictError when (provider, sub) belongs to another user; null when the user is missing. */
  linkOAuth(userId: string, link: OAuthLink, updatedAt: Date): Promise<UserRecord | null>;
}

export interface EmailTokenRepo {
  insert(token: EmailVerificationToken): Promise<EmailVerificationToken>;
  findById(id: string): Promise<EmailVerificationToken | null>;
  listByEmail(normalizedEmail: string, type?: string): Promise<EmailVerificationToken[]>;
  /** Sets usedAt only if unset; null when the token is missing or already used. */
  markUsed(id: string, usedAt: Date): Promise<EmailVerificationToken | null>;
  deleteExpired(now: Date): Promise<number>;
  getAttempts(tokenId: string): Promise<number>;
  /** Atomically adds one; null when the token is missing. */
  incrementAttempts(tokenId: string): Promise<number | null>;
}

export interface EventLog {
  append(event: AuthEvent): Promise<void>;
  listByPrincipal(principalId: string, limit: number): Promise<AuthEvent[]>;
}
