/**
 * Records of the Rust `oauth2-passkey` crate's four tables, in camelCase with Date timestamps.
 * The column each field maps to is named in its comment where the names differ beyond case.
 */

/** A row of `{prefix}users`. */
export interface PasskeyUser {
  /** The database-assigned primary key; 1 is the first user ever inserted, who is always an admin. */
  sequenceNumber: number;
  /** Public id: a lowercase hyphenated UUID v4. */
  id: string;
  account: string;
  label: string;
  isAdmin: boolean;
  createdAt: Date;
  updatedAt: Date;
}

/** What `upsertUser` takes: `id` may be omitted for a new user (a UUID v4 is generated). */
export interface PasskeyUserInput {
  id?: string;
  account: string;
  label: string;
  isAdmin?: boolean;
}

/** A row of `{prefix}oauth2_accounts`: one OAuth2/OIDC identity linked to a user. */
export interface OAuth2Account {
  /** Null on a table of the pre-0.6 layout, which has no sequence_number. */
  sequenceNumber: number | null;
  id: string;
  userId: string;
  /** The provider name (`google`, or a custom/OIDC slot name). */
  provider: string;
  providerUserId: string;
  name: string;
  email: string;
  picture: string | null;
  /** Any JSON value (the crate's default is `null`). */
  metadata: unknown;
  createdAt: Date;
  updatedAt: Date;
}

export interface OAuth2AccountInput {
  /** Omitted or empty for a new link: a UUID v4 is generated. Ignored when the link already exists. */
  id?: string;
  userId: string;
  provider: string;
  providerUserId: string;
  name: string;
  email: string;
  picture?: string | null;
  metadata?: unknown;
}

/** The one field an OAuth2 account list or delete is filtered by (the crate's AccountSearchField). */
export type OAuth2AccountSearchField =
  | { id: string }
  | { userId: string }
  | { provider: string }
  | { providerUserId: string }
  | { name: string }
  | { email: string };

/** A row of `{prefix}passkey_credentials`; binary values are base64url text, as the crate stores them. */
export interface PasskeyCredential {
  sequenceNumber: number;
  /** base64url (no padding) of the WebAuthn rawId. */
  credentialId: string;
  userId: string;
  /** base64url (no padding) of the 65-byte uncompressed P-256 point. */
  publicKey: string;
  /** The authenticator's signature counter (u32). */
  counter: number;
  /** base64url (no padding) of 32 random bytes. */
  userHandle: string;
  userName: string;
  userDisplayName: string;
  /** Lowercase hyphenated UUID. */
  aaguid: string;
  rpId: string;
  createdAt: Date;
  updatedAt: Date;
  lastUsedAt: Date;
}

export interface PasskeyCredentialInput {
  credentialId: string;
  userId: string;
  publicKey: string;
  counter?: number;
  userHandle: string;
  userName: string;
  userDisplayName: string;
  aaguid: string;
  rpId?: string;
  createdAt?: Date;
  updatedAt?: Date;
  lastUsedAt?: Date;
}

/** The one field a credential list or delete is filtered by (the crate's CredentialSearchField). */
export type CredentialSearchField =
  { credentialId: string } | { userId: string } | { userHandle: string } | { userName: string };

/** What an assertion's counter did to the stored one. */
export type CounterUpdate =
  /** The new counter was higher and is stored. */
  | { status: 'updated'; counter: number }
  /** The assertion's counter is 0 (authenticator without a counter): nothing checked, nothing written. */
  | { status: 'skipped'; counter: number }
  /** The new counter is not above the stored one: a cloned authenticator is suspected; nothing written. */
  | { status: 'clone_suspected'; counter: number; storedCounter: number }
  | { status: 'not_found'; counter: number };

/**
 * The crate's `AuthMethod` as it writes it into `auth_method` (its Display form): 0.6 added FedCM sign-in
 * (docs.rs oauth2-passkey 0.6.1 src/audit/types.rs).
 */
export type LoginAuthMethod = 'passkey' | 'oauth2' | 'fedcm';

/** A row of `{prefix}login_history`; rows outlive their user on purpose (no foreign key). */
export interface LoginHistoryEntry {
  id: number;
  userId: string;
  timestamp: Date;
  authMethod: LoginAuthMethod;
  ipAddress: string | null;
  userAgent: string | null;
  success: boolean;
  credentialId: string | null;
  provider: string | null;
  providerUserId: string | null;
  failureReason: string | null;
  aaguid: string | null;
  email: string | null;
}

export interface LoginHistoryInput {
  userId: string;
  /** Defaults to now. */
  timestamp?: Date;
  authMethod: LoginAuthMethod;
  ipAddress?: string | null;
  /** Truncated to 512 UTF-8 bytes on a character boundary. */
  userAgent?: string | null;
  success: boolean;
  credentialId?: string | null;
  provider?: string | null;
  providerUserId?: string | null;
  failureReason?: string | null;
  aaguid?: string | null;
  email?: string | null;
}

export interface LoginHistoryRange {
  /** Inclusive lower bound on `timestamp`. */
  from?: Date;
  /** Inclusive upper bound on `timestamp`. */
  to?: Date;
  /** Default 50. */
  limit?: number;
  /** Default 0. */
  offset?: number;
}

export interface LoginHistoryQuery extends LoginHistoryRange {
  userId?: string;
  success?: boolean;
}
