import type { ColumnType, Generated } from 'kysely';
import type { DbArray, DbBool, DbJson, DbTimestamp } from './codec.js';

/** A column read as `unknown` (decoded by the codec) and written in its encoded form. */
type Col<W> = ColumnType<unknown, W, W>;
type NullableCol<W> = ColumnType<unknown, W | null | undefined, W | null>;

/** A column with a database default: optional on insert. */
type Defaulted<W> = ColumnType<unknown, W | undefined, W>;

type Ts = Col<DbTimestamp>;
type DTs = Defaulted<DbTimestamp>;
type NTs = NullableCol<DbTimestamp>;
type Str = Col<string>;
type NStr = NullableCol<string>;
type NJson = NullableCol<DbJson>;

export interface MigrationsTable {
  id: Str;
  applied_at: ColumnType<unknown, DbTimestamp | undefined, DbTimestamp>;
}

export interface UsersTable {
  id: Str;
  email: NStr;
  email_normalized: NStr;
  name: NStr;
  picture: NStr;
  plan: NStr;
  entitlements: Defaulted<DbArray>;
  oauth: NJson;
  metadata: NJson;
  created_at: DTs;
  updated_at: DTs;
  /** A caller's extra fields as dated JSON (migration 0007). */
  extra: NStr;
}

export interface UserOAuthLinksTable {
  provider: Str;
  sub: Str;
  user_id: Str;
  linked_at: Ts;
}

export interface OrganizationsTable {
  id: Str;
  name: Str;
  plan: Str;
  seats: Defaulted<number>;
  members: Defaulted<DbJson>;
  metadata: NJson;
  created_at: DTs;
  updated_at: DTs;
  /** A caller's extra fields as dated JSON (migration 0007). */
  extra: NStr;
}

export interface ApiKeysTable {
  id: Str;
  principal_id: Str;
  hash: Str;
  prefix: Str;
  last_four: Str;
  scopes: Defaulted<DbArray>;
  metadata: NJson;
  expires_at: NTs;
  created_at: DTs;
  updated_at: DTs;
  /** A caller's extra fields as dated JSON (migration 0007). */
  extra: NStr;
}

export interface SessionsTable {
  /** The digest of the session token, never the token itself. */
  id: Str;
  /** The expiry bucket the token names (migration 0008); on PostgreSQL, the partition key. */
  bucket: Defaulted<number>;
  user_id: Str;
  org_id: NStr;
  plan: NStr;
  entitlements: Defaulted<DbArray>;
  expires_at: Ts;
  metadata: NJson;
  created_at: DTs;
  updated_at: DTs;
  /** A caller's extra fields as dated JSON (migration 0007). */
  extra: NStr;
}

export interface EmailVerificationTokensTable {
  id: Str;
  email: Str;
  email_normalized: NStr;
  code: Str;
  code_hash: Str;
  type: Str;
  user_id: NStr;
  metadata: NJson;
  expires_at: Ts;
  created_at: DTs;
  used_at: NTs;
  /** A caller's extra fields as dated JSON (migration 0007). */
  extra: NStr;
}

export interface EmailVerificationTokenAttemptsTable {
  token_id: Str;
  attempts: Defaulted<number>;
}

export interface AuthEventsTable {
  id: Generated<number>;
  type: Str;
  principal_id: Str;
  org_id: NStr;
  data: Defaulted<DbJson>;
  timestamp: DTs;
  /** A caller's extra fields as dated JSON (migration 0007). */
  extra: NStr;
}

export interface RolesTable {
  id: Str;
  org_id: Str;
  name: Str;
  description: NStr;
  permissions: Defaulted<DbJson>;
  is_system: Defaulted<DbBool>;
  metadata: NJson;
  created_at: DTs;
  updated_at: DTs;
  /** A caller's extra fields as dated JSON (migration 0006). */
  extra: NStr;
}

export interface UserRolesTable {
  user_id: Str;
  role_id: Str;
  org_id: Str;
  assigned_at: ColumnType<unknown, DbTimestamp | undefined, DbTimestamp>;
}

export interface SsoProvidersTable {
  id: Str;
  type: Str;
  name: Str;
  org_id: NStr;
  config: Defaulted<DbJson>;
  /** The provider's secret fields as one CipherPort envelope (migration 0004). */
  secrets: NStr;
  metadata: NJson;
  created_at: DTs;
  updated_at: DTs;
  /** A caller's extra fields as dated JSON (migration 0007). */
  extra: NStr;
}

export interface SsoLinksTable {
  id: Str;
  user_id: Str;
  provider_id: Str;
  provider_type: Str;
  provider_subject: Str;
  provider_email: NStr;
  auto_provisioned: NullableCol<DbBool>;
  metadata: NJson;
  linked_at: DTs;
  last_auth_at: DTs;
  extra: NStr;
}

export interface SsoSessionsTable {
  id: Str;
  user_id: Str;
  provider_id: Str;
  provider_type: Str;
  provider_subject: Str;
  session_token: NStr;
  expires_at: Ts;
  linked_at: DTs;
  last_auth_at: DTs;
  extra: NStr;
}

export interface TwofaDevicesTable {
  id: Str;
  user_id: Str;
  method: Str;
  name: NStr;
  verified: Defaulted<DbBool>;
  phone_number: NStr;
  secret: NStr;
  last_used_at: NTs;
  created_at: DTs;
  updated_at: NTs;
  /** Upstream's clear metadata; since migration 0006 always NULL (metadata lives in sealed_metadata). */
  metadata: NJson;
  /** The device's metadata as one CipherPort envelope of its JSON (migration 0006). */
  sealed_metadata: NStr;
  backup_codes_used: NJson;
  /** SMSDevice.verificationCode, a CipherPort envelope. */
  verification_code: NStr;
  verification_code_expires_at: NTs;
  extra: NStr;
}

export interface TwofaBackupCodesTable {
  id: Str;
  user_id: Str;
  code: Str;
  used: Defaulted<DbBool>;
  used_at: NTs;
  created_at: DTs;
  extra: NStr;
}

export interface TwofaSessionsTable {
  id: Str;
  user_id: Str;
  session_id: Str;
  device_id: Str;
  method: Str;
  verification_code: NStr;
  attempt_count: Defaulted<number>;
  max_attempts: Defaulted<number>;
  expires_at: Ts;
  created_at: DTs;
  completed_at: NTs;
  extra: NStr;
}

export interface SamlTenantConfigsTable {
  tenant_id: Str;
  /** The whole config as one CipherPort envelope: text since migration 0004. */
  config: Str;
  created_at: DTs;
  updated_at: DTs;
}

/** Every table authkeep's kitium store owns. */
export interface AuthDatabase {
  auth_migrations: MigrationsTable;
  users: UsersTable;
  user_oauth_links: UserOAuthLinksTable;
  organizations: OrganizationsTable;
  api_keys: ApiKeysTable;
  sessions: SessionsTable;
  email_verification_tokens: EmailVerificationTokensTable;
  email_verification_token_attempts: EmailVerificationTokenAttemptsTable;
  auth_events: AuthEventsTable;
  roles: RolesTable;
  user_roles: UserRolesTable;
  sso_providers: SsoProvidersTable;
  sso_links: SsoLinksTable;
  sso_sessions: SsoSessionsTable;
  twofa_devices: TwofaDevicesTable;
  twofa_backup_codes: TwofaBackupCodesTable;
  twofa_sessions: TwofaSessionsTable;
  saml_tenant_configs: SamlTenantConfigsTable;
}
