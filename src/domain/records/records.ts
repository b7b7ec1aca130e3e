/**
 * Records of the @kitiumai/auth 4.x StorageAdapter contract, declared by us and kept structurally
 * identical to upstream so code written against upstream types compiles unchanged.
 */

export interface ApiKeyRecord {
  id: string;
  principalId: string;
  hash: string;
  prefix: string;
  lastFour: string;
  scopes: string[];
  metadata?: Record<string, string>;
  expiresAt?: Date;
  createdAt: Date;
  updatedAt: Date;
}

export interface SessionRecord {
  id: string;
  userId: string;
  orgId?: string;
  plan?: string;
  entitlements: string[];
  expiresAt: Date;
  metadata?: Record<string, unknown>;
  createdAt: Date;
  updatedAt: Date;
}

export type OrganizationRole = 'owner' | 'admin' | 'member';

export interface OrganizationMember {
  userId: string;
  role: OrganizationRole;
  joinedAt: Date;
}

export interface OrganizationRecord {
  id: string;
  name: string;
  plan: string;
  seats: number;
  members: OrganizationMember[];
  metadata?: Record<string, unknown>;
  createdAt: Date;
  updatedAt: Date;
}

export interface OAuthLink {
  provider: string;
  sub: string;
  email?: string;
  name?: string;
  linkedAt: Date;
}

export interface UserRecord {
  id: string;
  email?: string;
  name?: string;
  picture?: string;
  plan?: string;
  entitlements: string[];
  oauth?: Record<string, OAuthLink>;
  metadata?: Record<string, unknown>;
  createdAt: Date;
  updatedAt: Date;
}

export type User = UserRecord;

export interface CreateUserInput {
  email?: string;
  name?: string;
  picture?: string;
  plan?: string;
  entitlements?: string[];
  metadata?: Record<string, unknown>;
}

export type UpdateUserInput = CreateUserInput;

export type EmailVerificationTokenType = 'verify_email' | 'reset_password' | 'change_email' | 'login_link';

export interface EmailVerificationToken {
  id: string;
  email: string;
  code: string;
  codeHash: string;
  type: EmailVerificationTokenType;
  userId?: string;
  metadata?: Record<string, unknown>;
  expiresAt: Date;
  createdAt: Date;
  usedAt?: Date;
}

export interface AuthEvent {
  type: string;
  principalId: string;
  orgId?: string;
  data: Record<string, unknown>;
  timestamp: Date;
}

export interface Permission {
  id: string;
  name: string;
  description?: string;
  resource: string;
  action: string;
  metadata?: Record<string, unknown>;
}

export interface RoleRecord {
  id: string;
  orgId: string;
  name: string;
  description?: string;
  permissions: Permission[];
  isSystem: boolean;
  metadata?: Record<string, unknown>;
  createdAt: Date;
  updatedAt: Date;
}

export type TwoFactorMethod = 'totp' | 'sms' | 'backup-code';

export interface TwoFactorDevice {
  id: string;
  userId: string;
  method: TwoFactorMethod;
  name?: string;
  verified: boolean;
  phoneNumber?: string;
  secret?: string;
  lastUsedAt?: Date;
  createdAt: Date;
  updatedAt?: Date;
  metadata?: Record<string, unknown>;
}

/** The fields of the subtypes real callers pass (`TOTPDevice`, `SMSDevice`); any method may carry them. */
export interface TwoFactorDeviceSubtypeFields {
  backupCodesUsed?: string[];
  verificationCode?: string;
  verificationCodeExpiresAt?: Date;
}

/** A device as the store keeps it: the base record with the subtype fields it was given. */
export type TwoFactorDeviceRecord = TwoFactorDevice & TwoFactorDeviceSubtypeFields;

/** What `enrollTOTPDevice` stores: the device with the ids of the backup codes used so far. */
export type TOTPDevice = {
  method: 'totp';
  secret: string;
  backupCodesUsed: string[];
} & TwoFactorDevice;

/** An SMS device; the live code may be on the record itself (it is sealed at rest like the secret). */
export type SMSDevice = {
  method: 'sms';
  phoneNumber: string;
  verificationCode?: string;
  verificationCodeExpiresAt?: Date;
} & TwoFactorDevice;

export interface BackupCode {
  id: string;
  userId: string;
  code: string;
  used: boolean;
  usedAt?: Date;
  createdAt: Date;
}

export interface TwoFactorSession {
  id: string;
  userId: string;
  sessionId: string;
  deviceId: string;
  method: TwoFactorMethod;
  verificationCode?: string;
  attemptCount: number;
  maxAttempts: number;
  expiresAt: Date;
  createdAt: Date;
  completedAt?: Date;
}

export type SSOProviderType = 'saml' | 'oidc' | 'oauth';

export interface SSOLink {
  id: string;
  userId: string;
  providerId: string;
  providerType: SSOProviderType;
  providerSubject: string;
  providerEmail?: string;
  autoProvisioned?: boolean;
  metadata?: Record<string, unknown>;
  linkedAt: Date;
  lastAuthAt: Date;
}

export interface SSOSession {
  id: string;
  userId: string;
  providerId: string;
  providerType: SSOProviderType;
  providerSubject: string;
  sessionToken?: string;
  expiresAt: Date;
  linkedAt: Date;
  lastAuthAt: Date;
}

export interface OIDCProviderRecord {
  id: string;
  type: 'oidc';
  name: string;
  orgId?: string;
  metadata_url: string;
  client_id: string;
  client_secret: string;
  redirect_uris: string[];
  scopes?: string[];
  response_type?: string;
  token_endpoint_auth_method?: string;
  claim_mapping?: Record<string, string>;
  metadata?: Record<string, unknown>;
  createdAt: Date;
  updatedAt: Date;
}

export interface SAMLProviderRecord {
  id: string;
  type: 'saml';
  name: string;
  orgId?: string;
  idp_entity_id: string;
  idp_sso_url: string;
  idp_slo_url?: string;
  idp_certificate?: string;
  sp_entity_id: string;
  sp_acs_url: string;
  sp_slo_url?: string;
  signing_cert?: string;
  signing_key?: string;
  encryption_enabled?: boolean;
  force_authn?: boolean;
  allow_unencrypted_assertion?: boolean;
  attribute_mapping?: Record<string, string>;
  metadata?: Record<string, unknown>;
  createdAt: Date;
  updatedAt: Date;
}

export type SSOProviderRecord = OIDCProviderRecord | SAMLProviderRecord;

type OmitEach<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/**
 * What createSSOProvider takes (upstream types it `unknown`; its memory adapter stores the record as
 * given): an OIDC or SAML provider, `id` optional (generated), timestamps the store's; other keys are
 * the caller's extra fields.
 */
export type SSOProviderInput = OmitEach<SSOProviderRecord, 'id' | 'createdAt' | 'updatedAt'> & {
  id?: string;
  createdAt?: Date;
  updatedAt?: Date;
  [extraField: string]: unknown;
};

type Clearable<T> = { [K in keyof T]?: T[K] | null };

/**
 * What updateSSOProvider takes: some fields of the provider's kind (`type` only unchanged; `null` or
 * `undefined` clears an optional one), or extra fields.
 */
export type SSOProviderPatch = (Clearable<OIDCProviderRecord> | Clearable<SAMLProviderRecord>) & {
  [extraField: string]: unknown;
};

/** A SAML tenant config as storeTenantSAMLConfig takes it: the caller's shape, keyed by its `tenantId`. */
export interface SAMLTenantConfigInput {
  tenantId: string;
  [field: string]: unknown;
}
