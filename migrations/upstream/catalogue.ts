/**
 * What @kitiumai/auth-postgres creates, as facts read from its source (GitHub kitium-ai/auth-postgres,
 * src/postgres.ts: tag v3.0.1 = commit f4edfc5, initializeTables(); tag v3.1.1 = commit 3f44e1f,
 * runMigrations()), and the shape authkeep's migration 0001 gives the same column. Both generations
 * create the same columns; 3.1.x adds foreign keys, the set_updated_at triggers and the ledger row.
 */

/** A column as `format_type()` names it upstream, and what a fresh authkeep database has after 0001. */
export interface UpstreamColumn {
  upstream: string;
  /** Type after migration 0001; omitted when equal. Timestamps become timestamptz (see time-zones.ts). */
  type?: string;
  notNull: boolean;
  /** SQL of authkeep's default, or null for none (upstream defaults that authkeep lacks are dropped). */
  default: string | null;
  /** SQL that fills a NULL upstream left in a column authkeep declares NOT NULL. */
  fill?: string;
}

const VC255 = 'character varying(255)';
const TS = 'timestamp without time zone';
const NOW = 'now()';

const col = (
  upstream: string,
  notNull: boolean,
  dflt: string | null = null,
  extra: Partial<UpstreamColumn> = {},
): UpstreamColumn => ({ upstream, notNull, default: dflt, ...extra });
const id = () => col(VC255, true);
const ref = (notNull = true) => col(VC255, notNull);
const metadata = () => col('jsonb', false);
const createdAt = () => col(TS, true, NOW, { fill: NOW });
const updatedAt = () => col(TS, true, NOW, { fill: 'created_at' });
const widened = (upstream: string, notNull: boolean) => col(upstream, notNull, null, { type: VC255 });

/** Every upstream table and column, in both generations (the column lists are identical). */
export const UPSTREAM_COLUMNS: Record<string, Record<string, UpstreamColumn>> = {
  users: {
    id: id(),
    email: ref(false),
    name: col(VC255, false, null, { type: 'text' }),
    picture: col('character varying(1024)', false, null, { type: 'text' }),
    plan: widened('character varying(50)', false),
    entitlements: col('text[]', true, "'{}'::text[]"),
    oauth: col('jsonb', false, "'{}'::jsonb"),
    metadata: metadata(),
    created_at: createdAt(),
    updated_at: updatedAt(),
  },
  organizations: {
    id: id(),
    name: ref(),
    plan: widened('character varying(50)', true),
    seats: col('integer', true, '0'),
    members: col('jsonb', true, "'[]'::jsonb"),
    metadata: metadata(),
    created_at: createdAt(),
    updated_at: updatedAt(),
  },
  api_keys: {
    id: id(),
    principal_id: ref(),
    hash: ref(),
    prefix: widened('character varying(50)', true),
    last_four: widened('character varying(4)', true),
    scopes: col('text[]', true, "'{}'::text[]"),
    metadata: metadata(),
    expires_at: col(TS, false),
    created_at: createdAt(),
    updated_at: updatedAt(),
  },
  sessions: {
    id: id(),
    user_id: ref(),
    org_id: ref(false),
    plan: widened('character varying(50)', false),
    entitlements: col('text[]', true, "'{}'::text[]"),
    expires_at: col(TS, true),
    metadata: metadata(),
    created_at: createdAt(),
    updated_at: updatedAt(),
  },
  email_verification_tokens: {
    id: id(),
    email: ref(),
    code: ref(),
    code_hash: ref(),
    type: widened('character varying(50)', true),
    user_id: ref(false),
    metadata: metadata(),
    expires_at: col(TS, true),
    used_at: col(TS, false),
    created_at: createdAt(),
  },
  email_verification_token_attempts: {
    token_id: id(),
    attempts: col('integer', true, '0', { fill: '0' }),
  },
  auth_events: {
    id: col('integer', true, "nextval('auth_events_id_seq'::regclass)"),
    type: widened('character varying(100)', true),
    principal_id: ref(),
    org_id: ref(false),
    data: col('jsonb', true, "'{}'::jsonb"),
    timestamp: col(TS, true, NOW, { fill: NOW }),
  },
  roles: {
    id: id(),
    org_id: ref(),
    name: ref(),
    description: col('text', false),
    is_system: col('boolean', true, 'false', { fill: 'false' }),
    permissions: col('jsonb', true, "'[]'::jsonb"),
    metadata: metadata(),
    created_at: createdAt(),
    updated_at: updatedAt(),
  },
  user_roles: {
    // Upstream gives each assignment its own id; authkeep keys assignments by (user, org, role).
    id: id(),
    user_id: ref(),
    role_id: ref(),
    org_id: ref(),
    assigned_at: col(TS, true, NOW, { fill: NOW }),
  },
  sso_providers: {
    id: id(),
    type: widened('character varying(50)', true),
    name: ref(),
    org_id: ref(false),
    metadata: metadata(),
    created_at: createdAt(),
    updated_at: updatedAt(),
    // The provider fields below are folded into `config` (sso-providers.ts) and dropped.
    metadata_url: col('text', false),
    client_id: ref(false),
    client_secret: col('text', false),
    token_endpoint_auth_method: col('character varying(50)', false),
    idp_entity_id: col('text', false),
    idp_sso_url: col('text', false),
    idp_slo_url: col('text', false),
    idp_certificate: col('text', false),
    sp_entity_id: col('text', false),
    sp_acs_url: col('text', false),
    sp_slo_url: col('text', false),
    signing_cert: col('text', false),
    signing_key: col('text', false),
    encryption_enabled: col('boolean', false),
    force_authn: col('boolean', false),
    scopes: col('text[]', false),
    redirect_uris: col('text[]', false),
    claim_mapping: col('jsonb', false),
    attribute_mapping: col('jsonb', false),
  },
  sso_links: {
    id: id(),
    user_id: ref(),
    provider_id: ref(),
    provider_type: widened('character varying(50)', true),
    provider_subject: ref(),
    provider_email: ref(false),
    auto_provisioned: col('boolean', false),
    metadata: metadata(),
    linked_at: col(TS, true, NOW, { fill: NOW }),
    last_auth_at: col(TS, true, NOW, { fill: 'linked_at' }),
  },
  sso_sessions: {
    id: id(),
    user_id: ref(),
    provider_id: ref(),
    provider_type: widened('character varying(50)', true),
    provider_subject: ref(),
    session_token: col('text', false),
    expires_at: col(TS, true),
    linked_at: col(TS, true, NOW, { fill: NOW }),
    last_auth_at: col(TS, true, NOW, { fill: 'linked_at' }),
  },
  twofa_devices: {
    id: id(),
    user_id: ref(),
    method: widened('character varying(50)', true),
    name: ref(false),
    verified: col('boolean', true, 'false', { fill: 'false' }),
    phone_number: widened('character varying(50)', false),
    secret: col('text', false),
    last_used_at: col(TS, false),
    metadata: metadata(),
    created_at: createdAt(),
    // authkeep keeps this one nullable (a device never updated has none in @kitiumai/auth's type).
    updated_at: col(TS, false, NOW),
  },
  twofa_backup_codes: {
    id: id(),
    user_id: ref(),
    code: ref(),
    used: col('boolean', true, 'false', { fill: 'false' }),
    used_at: col(TS, false),
    created_at: createdAt(),
  },
  twofa_sessions: {
    id: id(),
    user_id: ref(),
    session_id: ref(),
    device_id: ref(),
    method: widened('character varying(50)', true),
    verification_code: widened('character varying(10)', false),
    attempt_count: col('integer', true, '0', { fill: '0' }),
    max_attempts: col('integer', true, '5', { fill: '5' }),
    expires_at: col(TS, true),
    completed_at: col(TS, false),
    created_at: createdAt(),
  },
};

export const UPSTREAM_TABLE_NAMES = Object.keys(UPSTREAM_COLUMNS);

/** The provider fields upstream keeps in columns of their own, per provider type (kitium src/types/sso.ts). */
export const UPSTREAM_PROVIDER_FIELDS = {
  oidc: [
    'metadata_url',
    'client_id',
    'client_secret',
    'redirect_uris',
    'scopes',
    'token_endpoint_auth_method',
    'claim_mapping',
  ],
  saml: [
    'idp_entity_id',
    'idp_sso_url',
    'idp_slo_url',
    'idp_certificate',
    'sp_entity_id',
    'sp_acs_url',
    'sp_slo_url',
    'signing_cert',
    'signing_key',
    'encryption_enabled',
    'force_authn',
    'attribute_mapping',
  ],
} as const;

/** The 24 b-tree indexes both generations create (`CREATE INDEX IF NOT EXISTS idx_<table>_<column>`). */
export const UPSTREAM_INDEXES: Record<string, string> = {
  idx_users_email: 'users',
  idx_api_keys_principal_id: 'api_keys',
  idx_api_keys_hash: 'api_keys',
  idx_sessions_user_id: 'sessions',
  idx_sessions_expires_at: 'sessions',
  idx_organizations_plan: 'organizations',
  idx_email_verification_tokens_email: 'email_verification_tokens',
  idx_email_verification_tokens_type: 'email_verification_tokens',
  idx_email_verification_tokens_expires_at: 'email_verification_tokens',
  idx_auth_events_principal_id: 'auth_events',
  idx_auth_events_type: 'auth_events',
  idx_auth_events_timestamp: 'auth_events',
  idx_roles_org_id: 'roles',
  idx_user_roles_user_id: 'user_roles',
  idx_user_roles_role_id: 'user_roles',
  idx_user_roles_org_id: 'user_roles',
  idx_sso_providers_org_id: 'sso_providers',
  idx_sso_links_user_id: 'sso_links',
  idx_sso_links_provider_id: 'sso_links',
  idx_sso_sessions_user_id: 'sso_sessions',
  idx_twofa_devices_user_id: 'twofa_devices',
  idx_twofa_backup_codes_user_id: 'twofa_backup_codes',
  idx_twofa_sessions_user_id: 'twofa_sessions',
  idx_twofa_sessions_session_id: 'twofa_sessions',
};

/** Upstream's ledger row (3.1.x only; 3.0.x never writes a ledger). */
export const UPSTREAM_MIGRATION_ID = '0001_initial_schema_v2';

/** The tables 3.1.x gives a `<table>_set_updated_at` BEFORE UPDATE trigger calling set_updated_at(). */
export const UPSTREAM_TRIGGER_TABLES = [
  'users',
  'api_keys',
  'sessions',
  'organizations',
  'roles',
  'twofa_devices',
];
