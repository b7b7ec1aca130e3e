import type {
  AdapterAccount,
  AdapterAccountType,
  AdapterAuthenticator,
  AdapterSession,
  AdapterUser,
} from '@auth/core/adapters';
import { ValidationError } from '../../domain/errors.js';
import type {
  AuthjsAccount,
  AuthjsAuthenticator,
  AuthjsNewUser,
  AuthjsUser,
} from '../../ports/authjs-store.js';

/** Auth.js's records ↔ the store's: only the columns Auth.js's SQL schemas have are kept. */

export function requireText(value: unknown, what: string): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new ValidationError(`${what} must be a non-empty string`, { details: { field: what } });
  }
  return value;
}

export function requireDate(value: unknown, what: string): Date {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) {
    throw new ValidationError(`${what} must be a valid Date`, { details: { field: what } });
  }
  return value;
}

function optionalDate(value: unknown, what: string): Date | null {
  return value === null || value === undefined ? null : requireDate(value, what);
}

function text(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}

/** The stored fields of a user (or of a patch: only the keys present). */
export function userFields(user: Partial<AdapterUser>): Partial<AuthjsNewUser> {
  const fields: Partial<AuthjsNewUser> = {};
  if ('name' in user) fields.name = text(user.name);
  if ('email' in user) fields.email = text(user.email);
  if ('emailVerified' in user) fields.emailVerified = optionalDate(user.emailVerified, 'emailVerified');
  if ('image' in user) fields.image = text(user.image);
  return fields;
}

export function toAdapterUser(user: AuthjsUser): AdapterUser {
  // @auth/pg-adapter's users.email is nullable; a null is returned as stored, as that adapter does.
  return { ...user, email: user.email as string };
}

export function toStoredAccount(account: AdapterAccount): AuthjsAccount {
  const expiresAt = account.expires_at;
  if (expiresAt !== undefined && expiresAt !== null && !Number.isSafeInteger(expiresAt)) {
    throw new ValidationError('expires_at must be an integer (seconds since the epoch)');
  }
  return {
    userId: requireText(account.userId, 'userId'),
    type: requireText(account.type, 'type'),
    provider: requireText(account.provider, 'provider'),
    providerAccountId: requireText(account.providerAccountId, 'providerAccountId'),
    refresh_token: text(account.refresh_token),
    access_token: text(account.access_token),
    expires_at: expiresAt ?? null,
    token_type: text(account.token_type),
    scope: text(account.scope),
    id_token: text(account.id_token),
    session_state: text(account.session_state),
  };
}

/** Null columns are left out: Auth.js's account fields are optional, not nullable. */
export function toAdapterAccount(account: AuthjsAccount): AdapterAccount {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(account)) if (value !== null) out[key] = value;
  return { ...(out as unknown as AdapterAccount), type: account.type as AdapterAccountType };
}

export function toAdapterSession(token: string, session: { userId: string; expires: Date }): AdapterSession {
  return { sessionToken: token, userId: session.userId, expires: session.expires };
}

/** A WebAuthn signature counter: an unsigned 32-bit integer (WebAuthn Level 2, §6.1 signCount). */
export function requireCounter(value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 0xffff_ffff) {
    throw new ValidationError('counter must be an integer from 0 to 2^32 - 1', {
      details: { field: 'counter' },
    });
  }
  return value;
}

export function toStoredAuthenticator(authenticator: AdapterAuthenticator): AuthjsAuthenticator {
  if (typeof authenticator.credentialBackedUp !== 'boolean') {
    throw new ValidationError('credentialBackedUp must be a boolean');
  }
  return {
    credentialID: requireText(authenticator.credentialID, 'credentialID'),
    userId: requireText(authenticator.userId, 'userId'),
    providerAccountId: requireText(authenticator.providerAccountId, 'providerAccountId'),
    credentialPublicKey: requireText(authenticator.credentialPublicKey, 'credentialPublicKey'),
    counter: requireCounter(authenticator.counter),
    credentialDeviceType: requireText(authenticator.credentialDeviceType, 'credentialDeviceType'),
    credentialBackedUp: authenticator.credentialBackedUp,
    transports: text(authenticator.transports),
  };
}

export function toAdapterAuthenticator(authenticator: AuthjsAuthenticator): AdapterAuthenticator {
  return { ...authenticator };
}
