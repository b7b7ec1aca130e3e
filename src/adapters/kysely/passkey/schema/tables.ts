import type { ColumnType } from 'kysely';

/** A timestamp as the driver takes it: a Date for PostgreSQL, RFC 3339 text for SQLite. */
type Timestamp = ColumnType<Date | string, Date | string, Date | string>;
/** A boolean as the driver takes it: boolean for PostgreSQL, 0/1 for SQLite. */
type Bool = ColumnType<boolean | number, boolean | number, boolean | number>;
/** BIGSERIAL comes back from pg as a string, INTEGER from SQLite as a number. */
type Serial = ColumnType<number | string, number | undefined, number>;

export interface UsersTable {
  sequence_number: Serial;
  id: string;
  account: string;
  label: string;
  is_admin: Bool;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface OAuth2AccountsTable {
  sequence_number: Serial;
  id: string;
  user_id: string;
  provider: string;
  provider_user_id: string;
  name: string;
  email: string;
  picture: string | null;
  /** JSON text on SQLite; JSONB on PostgreSQL (bound as JSON text, read back parsed). */
  metadata: ColumnType<unknown, string, string>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface PasskeyCredentialsTable {
  sequence_number: Serial;
  credential_id: string;
  user_id: string;
  public_key: string;
  counter: ColumnType<number, number | undefined, number>;
  user_handle: string;
  user_name: string;
  user_display_name: string;
  aaguid: string;
  rp_id: ColumnType<string, string | undefined, string>;
  created_at: Timestamp;
  updated_at: Timestamp;
  last_used_at: Timestamp;
}

export interface LoginHistoryTable {
  id: Serial;
  user_id: string;
  timestamp: Timestamp;
  auth_method: string;
  ip_address: string | null;
  user_agent: string | null;
  success: Bool;
  credential_id: string | null;
  provider: string | null;
  provider_user_id: string | null;
  failure_reason: string | null;
  aaguid: string | null;
  email: string | null;
}

/** Logical table names; TableNamesPlugin maps them to the configured ones. */
export interface PasskeyDatabase {
  users: UsersTable;
  oauth2_accounts: OAuth2AccountsTable;
  passkey_credentials: PasskeyCredentialsTable;
  login_history: LoginHistoryTable;
}

export type LogicalTable = keyof PasskeyDatabase;
