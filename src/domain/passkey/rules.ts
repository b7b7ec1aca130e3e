import { ValidationError } from '../errors.js';
import { LIMITS } from '../fields/limits.js';
import { boolean, date, failValidation, integer, oneOf, string } from '../fields/validation.js';
import type {
  CredentialSearchField,
  LoginAuthMethod,
  LoginHistoryInput,
  LoginHistoryQuery,
  LoginHistoryRange,
  OAuth2AccountInput,
  OAuth2AccountSearchField,
  PasskeyCredentialInput,
  PasskeyUser,
  PasskeyUserInput,
} from './records.js';

/** AUTOINCREMENT / BIGSERIAL never reuse 1, so only the first user ever inserted has it. */
export const FIRST_USER_SEQUENCE_NUMBER = 1;

/** The crate's admin rule: an admin flag, or being the first user. */
export function hasAdminPrivileges(user: Pick<PasskeyUser, 'isAdmin' | 'sequenceNumber'>): boolean {
  return user.isAdmin || user.sequenceNumber === FIRST_USER_SEQUENCE_NUMBER;
}

/** The placeholder O2P_DEMO_MODE puts at sequence number 1, so no real user gets first-user treatment. */
export const DEMO_PLACEHOLDER_USER = {
  sequenceNumber: 1,
  id: '__demo_placeholder__',
  account: 'system@demo.local',
  label: '[Demo Placeholder]',
  isAdmin: true,
} as const;

/** The signature counter is a u32 in WebAuthn and in the crate. */
export const MAX_PASSKEY_COUNTER = 4_294_967_295;

/** Every `auth_method` the crate writes (its AuthMethod's Display strings, 0.6.1 src/audit/types.rs). */
export const LOGIN_AUTH_METHODS = [
  'passkey',
  'oauth2',
  'fedcm',
] as const satisfies readonly LoginAuthMethod[];

/** The crate keeps at most this many UTF-8 bytes of a user agent. */
export const USER_AGENT_MAX_BYTES = 512;

/** Cuts `text` to at most `maxBytes` UTF-8 bytes without splitting a character. */
export function truncateUtf8(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text) <= maxBytes) return text;
  let bytes = 0;
  let end = 0;
  for (const char of text) {
    const size = Buffer.byteLength(char);
    if (bytes + size > maxBytes) break;
    bytes += size;
    end += char.length;
  }
  return text.slice(0, end);
}

const idText = string({ max: LIMITS.id });
// A WebAuthn rawId may be up to 1023 bytes: 1364 base64url characters.
const credentialIdText = string({ max: 2048 });
const text = string({ max: LIMITS.text, allowEmpty: true });
const optionalText = (value: unknown, field: string): string | null =>
  value === undefined || value === null ? null : text(value, field);

/** Any JSON value, as the crate's serde_json::Value; `undefined` becomes `null` (the crate's default). */
export function jsonValue(value: unknown, field: string): unknown {
  if (value === undefined) return null;
  let encoded: string | undefined;
  try {
    encoded = JSON.stringify(value);
  } catch (error) {
    throw new ValidationError(`${field} must be JSON-serialisable`, { cause: error, details: { field } });
  }
  if (encoded === undefined) failValidation(field, 'must be a JSON value');
  if (Buffer.byteLength(encoded) > LIMITS.jsonBytes) {
    failValidation(field, `must be at most ${LIMITS.jsonBytes} bytes as JSON`);
  }
  return JSON.parse(encoded) as unknown;
}

function checkObject(value: unknown, field: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    failValidation(field, 'must be an object');
  }
  return value as Record<string, unknown>;
}

export interface ValidUserInput {
  /** Undefined when the caller left it out: the store generates one. */
  id: string | undefined;
  account: string;
  label: string;
  isAdmin: boolean;
}

export function validateUserInput(input: PasskeyUserInput): ValidUserInput {
  const value = checkObject(input, 'user');
  return {
    id: value.id === undefined || value.id === '' ? undefined : idText(value.id, 'user.id'),
    account: text(value.account, 'user.account'),
    label: text(value.label, 'user.label'),
    isAdmin: value.isAdmin === undefined ? false : boolean()(value.isAdmin, 'user.isAdmin'),
  };
}

export function validateOAuth2AccountInput(input: OAuth2AccountInput): Required<OAuth2AccountInput> {
  const value = checkObject(input, 'account');
  return {
    id: value.id === undefined || value.id === '' ? '' : idText(value.id, 'account.id'),
    // The crate errors when user_id is unset; so do we.
    userId: idText(value.userId, 'account.userId'),
    provider: idText(value.provider, 'account.provider'),
    providerUserId: idText(value.providerUserId, 'account.providerUserId'),
    name: text(value.name, 'account.name'),
    email: text(value.email, 'account.email'),
    picture: optionalText(value.picture, 'account.picture'),
    metadata: jsonValue(value.metadata, 'account.metadata'),
  };
}

export function validateCounter(value: unknown, field = 'counter'): number {
  return integer({ min: 0, max: MAX_PASSKEY_COUNTER })(value, field);
}

export function validateCredentialInput(
  input: PasskeyCredentialInput,
  now: Date,
): Required<PasskeyCredentialInput> {
  const value = checkObject(input, 'credential');
  const at = (key: string) => (value[key] === undefined ? now : date()(value[key], `credential.${key}`));
  return {
    credentialId: credentialIdText(value.credentialId, 'credential.credentialId'),
    userId: idText(value.userId, 'credential.userId'),
    publicKey: text(value.publicKey, 'credential.publicKey'),
    counter: value.counter === undefined ? 0 : validateCounter(value.counter, 'credential.counter'),
    userHandle: text(value.userHandle, 'credential.userHandle'),
    userName: text(value.userName, 'credential.userName'),
    userDisplayName: text(value.userDisplayName, 'credential.userDisplayName'),
    aaguid: text(value.aaguid, 'credential.aaguid'),
    rpId: value.rpId === undefined ? '' : text(value.rpId, 'credential.rpId'),
    createdAt: at('createdAt'),
    updatedAt: at('updatedAt'),
    lastUsedAt: at('lastUsedAt'),
  };
}

export type ValidLoginHistoryInput = Required<LoginHistoryInput>;

export function validateLoginInput(input: LoginHistoryInput, now: Date): ValidLoginHistoryInput {
  const value = checkObject(input, 'login');
  const userAgent = optionalText(value.userAgent, 'login.userAgent');
  return {
    userId: idText(value.userId, 'login.userId'),
    timestamp: value.timestamp === undefined ? now : date()(value.timestamp, 'login.timestamp'),
    authMethod: oneOf(LOGIN_AUTH_METHODS)(value.authMethod, 'login.authMethod'),
    ipAddress: optionalText(value.ipAddress, 'login.ipAddress'),
    userAgent: userAgent === null ? null : truncateUtf8(userAgent, USER_AGENT_MAX_BYTES),
    success: boolean()(value.success, 'login.success'),
    credentialId: optionalText(value.credentialId, 'login.credentialId'),
    provider: optionalText(value.provider, 'login.provider'),
    providerUserId: optionalText(value.providerUserId, 'login.providerUserId'),
    failureReason: optionalText(value.failureReason, 'login.failureReason'),
    aaguid: optionalText(value.aaguid, 'login.aaguid'),
    email: optionalText(value.email, 'login.email'),
  };
}

export interface ValidLoginHistoryQuery {
  userId?: string;
  success?: boolean;
  from?: Date;
  to?: Date;
  limit: number;
  offset: number;
}

export const DEFAULT_LOGIN_HISTORY_LIMIT = 50;
const MAX_LOGIN_HISTORY_LIMIT = 10_000;

export function validateLoginQuery(
  query: LoginHistoryQuery | LoginHistoryRange = {},
): ValidLoginHistoryQuery {
  const value = checkObject(query, 'query') as LoginHistoryQuery;
  const out: ValidLoginHistoryQuery = {
    limit:
      value.limit === undefined
        ? DEFAULT_LOGIN_HISTORY_LIMIT
        : integer({ min: 0, max: MAX_LOGIN_HISTORY_LIMIT })(value.limit, 'query.limit'),
    offset:
      value.offset === undefined
        ? 0
        : integer({ min: 0, max: Number.MAX_SAFE_INTEGER })(value.offset, 'query.offset'),
  };
  if (value.userId !== undefined) out.userId = idText(value.userId, 'query.userId');
  if (value.success !== undefined) out.success = boolean()(value.success, 'query.success');
  if (value.from !== undefined) out.from = date()(value.from, 'query.from');
  if (value.to !== undefined) out.to = date()(value.to, 'query.to');
  return out;
}

/** Checks that a search object names exactly one known field with a string value; returns [field, value]. */
export function searchField<F extends OAuth2AccountSearchField | CredentialSearchField>(
  field: F,
  allowed: readonly string[],
  what: string,
): [string, string] {
  const value = checkObject(field, what);
  const keys = Object.keys(value).filter((key) => value[key] !== undefined);
  if (keys.length !== 1 || !allowed.includes(keys[0] as string)) {
    failValidation(what, `must name exactly one of ${allowed.join(', ')}`);
  }
  const key = keys[0] as string;
  return [key, string({ max: 2048, allowEmpty: true })(value[key], `${what}.${key}`)];
}

export const OAUTH2_SEARCH_FIELDS = ['id', 'userId', 'provider', 'providerUserId', 'name', 'email'] as const;
export const CREDENTIAL_SEARCH_FIELDS = ['credentialId', 'userId', 'userHandle', 'userName'] as const;
