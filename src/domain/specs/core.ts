import { LIMITS } from '../fields/limits.js';
import { defineRecord } from '../fields/record-spec.js';
import type {
  ApiKeyRecord,
  AuthEvent,
  CreateUserInput,
  EmailVerificationToken,
  OAuthLink,
  OrganizationMember,
  OrganizationRecord,
  SessionRecord,
} from '../records/records.js';
import {
  array,
  date,
  id,
  integer,
  jsonObject,
  object,
  oneOf,
  string,
  stringArray,
  stringRecord,
} from '../fields/validation.js';

const short = () => string({ max: LIMITS.shortText });

/*
 * Every record here keeps a caller's extra fields (`{ extras: true }`): upstream's memory adapter
 * builds them as `{ id, ...data, createdAt, updatedAt }` (kitium-ai/auth src/adapters/memory.ts).
 */

export type ApiKeyInput = Omit<ApiKeyRecord, 'id' | 'createdAt' | 'updatedAt'>;
export const apiKeySpec = defineRecord<ApiKeyInput>(
  'apiKey',
  {
    principalId: id(),
    hash: string({ max: 1024 }),
    prefix: string({ max: LIMITS.shortText, allowEmpty: true }),
    lastFour: string({ max: 64, allowEmpty: true }),
    scopes: stringArray(),
    metadata: stringRecord(),
    expiresAt: date(),
  },
  ['metadata', 'expiresAt'],
  { extras: true },
);

export type SessionInput = Omit<SessionRecord, 'id' | 'createdAt' | 'updatedAt'>;
export const sessionSpec = defineRecord<SessionInput>(
  'session',
  {
    userId: id(),
    orgId: id(),
    plan: short(),
    entitlements: stringArray(),
    expiresAt: date(),
    metadata: jsonObject(),
  },
  ['orgId', 'plan', 'metadata'],
  { extras: true },
);

const memberRule = object<OrganizationMember>({
  userId: id(),
  role: oneOf(['owner', 'admin', 'member'] as const),
  joinedAt: date(),
});

export type OrganizationInput = Omit<OrganizationRecord, 'id' | 'createdAt' | 'updatedAt'>;
export const organizationSpec = defineRecord<OrganizationInput>(
  'organization',
  {
    name: short(),
    plan: short(),
    seats: integer({ min: 0 }),
    members: array(memberRule, { max: 10000 }),
    metadata: jsonObject(),
  },
  ['metadata'],
  { extras: true },
);

export const userSpec = defineRecord<CreateUserInput>(
  'user',
  {
    email: string({ max: LIMITS.email }),
    name: string({ max: LIMITS.shortText, allowEmpty: true }),
    picture: string({ max: LIMITS.url, allowEmpty: true }),
    plan: short(),
    entitlements: stringArray(),
    metadata: jsonObject(),
  },
  ['email', 'name', 'picture', 'plan', 'entitlements', 'metadata'],
  // `oauth` is the store's, written by linkOAuthAccount only: never an extra field.
  { extras: true, reserved: ['oauth'] },
);

export const oauthLinkSpec = defineRecord<OAuthLink>(
  'oauthLink',
  {
    provider: short(),
    sub: short(),
    email: string({ max: LIMITS.email, allowEmpty: true }),
    name: string({ max: LIMITS.shortText, allowEmpty: true }),
    linkedAt: date(),
  },
  ['email', 'name'],
);

export const EMAIL_TOKEN_TYPES = ['verify_email', 'reset_password', 'change_email', 'login_link'] as const;

export type EmailTokenInput = Omit<EmailVerificationToken, 'id'>;
export const emailTokenSpec = defineRecord<EmailTokenInput>(
  'emailVerificationToken',
  {
    email: string({ max: LIMITS.email }),
    code: string({ max: 1024 }),
    codeHash: string({ max: 1024 }),
    type: oneOf(EMAIL_TOKEN_TYPES),
    userId: id(),
    metadata: jsonObject(),
    expiresAt: date(),
    createdAt: date(),
    usedAt: date(),
  },
  ['userId', 'metadata', 'usedAt', 'createdAt'],
  { extras: true },
);

export const authEventSpec = defineRecord<AuthEvent>(
  'authEvent',
  {
    type: short(),
    principalId: id(),
    orgId: id(),
    data: jsonObject(),
    timestamp: date(),
  },
  ['orgId', 'timestamp'],
  { extras: true },
);
