import type { ExtraFields, ExtraFieldsPatch } from '../domain/fields/extra-fields.js';
import type {
  ApiKeyRecord,
  AuthEvent,
  EmailVerificationToken,
  OAuthLink,
  OrganizationRecord,
  SessionRecord,
  UserRecord,
} from '../domain/records/records.js';

/** A partial update: a key present with `undefined` clears that optional column. */
export type Patch<T> = Partial<T>;

/**
 * How a cached record carries a caller's extra fields (sessions, API keys): as their dated-JSON text
 * (extraFieldsToText), so every cache tier between the repository and the facade keeps their Dates;
 * the facade turns it back into fields. Absent when there are none.
 */
export interface WithExtraText {
  extraFields?: string;
}

/** An update of a cached record: its fields, and extra fields to set or (`undefined`) remove. */
export type PatchWithExtra<T> = Patch<T> & { extra?: ExtraFieldsPatch };

export type StoredApiKey = ApiKeyRecord & WithExtraText;

export interface ApiKeyRepo {
  insert(record: StoredApiKey): Promise<StoredApiKey>;
  findById(id: string): Promise<StoredApiKey | null>;
  findByHash(hash: string): Promise<StoredApiKey | null>;
  findByPrefixAndLastFour(prefix: string, lastFour: string): Promise<StoredApiKey[]>;
  listByPrincipal(principalId: string): Promise<StoredApiKey[]>;
  /** Returns null when no row has this id. */
  update(id: string, patch: PatchWithExtra<ApiKeyRecord>, updatedAt: Date): Promise<StoredApiKey | null>;
  delete(id: string): Promise<void>;
}

/** A session as stored: looked up by `key`, a digest of the bearer token; the token itself is never stored. */
export type StoredSession = Omit<SessionRecord, 'id'> & WithExtraText;

export interface SessionRepo {
  insert(key: string, session: StoredSession): Promise<void>;
  findByKey(key: string): Promise<StoredSession | null>;
  update(
    key: string,
    patch: PatchWithExtra<Omit<SessionRecord, 'id'>>,
    updatedAt: Date,
  ): Promise<StoredSession | null>;
  delete(key: string): Promise<void>;
  /** Removes sessions whose expiry is before `now`; returns how many. */
  deleteExpired(now: Date, limit: number): Promise<number>;
}

/* The records below return a caller's extra fields (`extra`) on the record itself, as roles do. */

export interface OrganizationRepo {
  insert(record: OrganizationRecord, extra: ExtraFields): Promise<OrganizationRecord>;
  findById(id: string): Promise<OrganizationRecord | null>;
  update(
    id: string,
    patch: Patch<OrganizationRecord>,
    extra: ExtraFieldsPatch,
    updatedAt: Date,
  ): Promise<OrganizationRecord | null>;
  delete(id: string): Promise<void>;
}

export interface UserRepo {
  /** Throws ConflictError when the normalised email is taken. */
  insert(record: UserRecord, extra: ExtraFields): Promise<UserRecord>;
  findById(id: string): Promise<UserRecord | null>;
  findByEmail(normalizedEmail: string): Promise<UserRecord | null>;
  findByOAuth(provider: string, sub: string): Promise<UserRecord | null>;
  update(
    id: string,
    patch: Patch<UserRecord>,
    extra: ExtraFieldsPatch,
    updatedAt: Date,
  ): Promise<UserRecord | null>;
  /** Deletes the user and everything that belongs to them, atomically. */
  delete(id: string): Promise<void>;
  /** Throws ConflictError when (provider, sub) belongs to another user; null when the user is missing. */
  linkOAuth(userId: string, link: OAuthLink, updatedAt: Date): Promise<UserRecord | null>;
}

export interface EmailTokenRepo {
  /** The code is sealed whatever `extra` holds; extra fields never take the place of a token's own. */
  insert(token: EmailVerificationToken, extra: ExtraFields): Promise<EmailVerificationToken>;
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
  append(event: AuthEvent, extra: ExtraFields): Promise<void>;
  listByPrincipal(principalId: string, limit: number): Promise<AuthEvent[]>;
}
