import type { ColumnType, Generated } from 'kysely';
import type { DbArray, DbBool, DbJson, DbTimestamp } from './codec.js';

/** A column read as `unknown` (decoded by the codec) and written in its encoded form. */
type Col<W> = ColumnType<unknown, W, W>;
type NullableCol<W> = ColumnType<unknown, W | null | undefined, W | null>;

type Ts = Col<DbTimestamp>;
type NTs = NullableCol<DbTimestamp>;
type Str = Col<string>;
type NStr = NullableCol<string>;
type Json = Col<DbJson>;
type NJson = NullableCol<DbJson>;
type Arr = Col<DbArray>;
type Bool = Col<DbBool>;
type Int = Col<number>;

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
  entitlements: Arr;
  oauth: NJson;
  metadata: NJson;
  created_at: Ts;
  updated_at: Ts;
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
  seats: Int;
  members: Json;
  metadata: NJson;
  created_at: Ts;
  updated_at: Ts;
}

export interface ApiKeysTable {
  id: Str;
  principal_id: Str;
  hash: Str;
  prefix: Str;
  last_four: Str;
  scopes: Arr;
  metadata: NJson;
  expires_at: NTs;
  created_at: Ts;
  updated_at: Ts;
}

export interface SessionsTable {
  /** The digest of the session token, never the token itself. */
  id: Str;
  user_id: Str;
  org_id: NStr;
  plan: NStr;
  entitlements: Arr;
  expires_at: Ts;
  metadata: NJson;
  created_at: Ts;
  updated_at: Ts;
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
  created_at: Ts;
  used_at: NTs;
}

export interface EmailVerificationTokenAttemptsTable {
  token_id: Str;
  attempts: Int;
}

export interface AuthEventsTable {
  id: Generated<number>;
  type: Str;
  principal_id: Str;
  org_id: NStr;
  data: Json;
  timestamp: Ts;
}

export interface RolesTable {
  id: Str;
  org_id: Str;
  name: Str;
  description: NStr;
  permissions: Json;
  is_system: Bool;
  metadata: NJson;
  created_at: Ts;
  updated_at: Ts;
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
  config: Json;
  metadata: NJson;
  created_at: Ts;
  updated_at: Ts;
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
  linked_at: Ts;
  last_auth_at: Ts;
}

export interface SsoSessionsTable {
  id: Str;
  user_id: Str;
  provider_id: Str;
  provider_type: Str;
  provider_subject: Str;
  session_token: NStr;
  expires_at: Ts;
  linked_at: Ts;
  last_auth_at: Ts;
}

export interface TwofaDevicesTable {
  id: Str;
  user_id: Str;
  method: Str;
  name: NStr;
  verified: Bool;
  phone_number: NStr;
  secret: NStr;
  last_used_at: NTs;
  created_at: Ts;
  updated_at: NTs;
  metadata: NJson;
}

export interface TwofaBackupCodesTable {
  id: Str;
  user_id: Str;
  code: Str;
  used: Bool;
  used_at: NTs;
  created_at: Ts;
}

export interface TwofaSessionsTable {
  id: Str;
  user_id: Str;
  session_id: Str;
  device_id: Str;
  method: Str;
  verification_code: NStr;
  attempt_count: Int;
  max_attempts: Int;
  expires_at: Ts;
  created_at: Ts;
  completed_at: NTs;
}

export interface SamlTenantConfigsTable {
  tenant_id: Str;
  config: Json;
  created_at: Ts;
  updated_at: Ts;
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
