import { sql } from 'kysely';
import type { PasskeyTableNames } from '../../../src/adapters/kysely/passkey/index.js';
import type { PasskeyDataHandle } from './backends.js';

/**
 * The oauth2-passkey 0.6 DDL, written the crate's way: names spliced in unquoted, UPPER-CASE type names.
 * Test fixtures only (the names are our own constants). Checked against the crate's published sources:
 * - users: docs.rs oauth2-passkey 0.6.1 src/userdb/storage/sqlite.rs, 0.6.0 src/userdb/storage/postgres.rs
 *   (`DEFAULT false` on SQLite, `DEFAULT FALSE` on PostgreSQL; no index).
 * - oauth2_accounts: 0.6.0 src/oauth2/storage/sqlite.rs (inline `REFERENCES … ON DELETE CASCADE`,
 *   `UNIQUE(provider, provider_user_id)`, index `idx_{table with . → _}_user_id`). The PostgreSQL copy of
 *   this DDL is not visible in any 0.6.x source page we could read: the JSONB/TIMESTAMPTZ types are those
 *   its schema check expects, the inline cascade is assumed to match SQLite (0.6.1 src/oauth2/storage/mysql.rs
 *   has `FOREIGN KEY (user_id) … ON DELETE CASCADE` too).
 * - passkey_credentials: 0.6.1 src/passkey/storage/{sqlite,postgres}.rs (table-level FOREIGN KEY … ON DELETE
 *   CASCADE). Its two index names (`idx_{t'}_user_name`, `idx_{t'}_user_id`) lie past what those pages show;
 *   they are as in every earlier version of the crate.
 * - login_history: 0.6.1 src/audit/storage/postgres.rs, 0.6.0 src/audit/storage/sqlite.rs (no foreign key, on
 *   purpose). Index names use the raw table name (2026 repository copy; past the part 0.6.x pages show).
 */
export function crateDdl(dialect: 'sqlite' | 'postgres', t: PasskeyTableNames): string[] {
  const pg = dialect === 'postgres';
  const serial = pg ? 'BIGSERIAL PRIMARY KEY' : 'INTEGER PRIMARY KEY AUTOINCREMENT';
  const ts = pg ? 'TIMESTAMPTZ' : 'TIMESTAMP';
  const stem = (name: string) => name.replace('.', '_');
  return [
    `CREATE TABLE IF NOT EXISTS ${t.users} (
        sequence_number ${serial},
        id TEXT NOT NULL UNIQUE,
        account TEXT NOT NULL,
        label TEXT NOT NULL,
        is_admin BOOLEAN NOT NULL DEFAULT ${pg ? 'FALSE' : 'false'},
        created_at ${ts} NOT NULL,
        updated_at ${ts} NOT NULL
    )`,
    `CREATE TABLE IF NOT EXISTS ${t.oauth2Accounts} (
        sequence_number ${serial},
        id TEXT NOT NULL UNIQUE,
        user_id TEXT NOT NULL REFERENCES ${t.users}(id) ON DELETE CASCADE,
        provider TEXT NOT NULL,
        provider_user_id TEXT NOT NULL,
        name TEXT NOT NULL,
        email TEXT NOT NULL,
        picture TEXT,
        metadata ${pg ? 'JSONB' : 'TEXT'} NOT NULL,
        created_at ${ts} NOT NULL,
        updated_at ${ts} NOT NULL,
        UNIQUE(provider, provider_user_id)
    )`,
    `CREATE INDEX IF NOT EXISTS idx_${stem(t.oauth2Accounts)}_user_id ON ${t.oauth2Accounts}(user_id)`,
    `CREATE TABLE IF NOT EXISTS ${t.passkeyCredentials} (
        sequence_number ${serial},
        credential_id TEXT NOT NULL UNIQUE,
        user_id TEXT NOT NULL,
        public_key TEXT NOT NULL,
        counter INTEGER NOT NULL DEFAULT 0,
        user_handle TEXT NOT NULL,
        user_name TEXT NOT NULL,
        user_display_name TEXT NOT NULL,
        aaguid TEXT NOT NULL,
        rp_id TEXT NOT NULL DEFAULT '',
        created_at ${ts} NOT NULL DEFAULT CURRENT_TIMESTAMP,
        updated_at ${ts} NOT NULL DEFAULT CURRENT_TIMESTAMP,
        last_used_at ${ts} NOT NULL DEFAULT CURRENT_TIMESTAMP,
        FOREIGN KEY (user_id) REFERENCES ${t.users}(id) ON DELETE CASCADE
    )`,
    `CREATE INDEX IF NOT EXISTS idx_${stem(t.passkeyCredentials)}_user_name ON ${t.passkeyCredentials}(user_name)`,
    `CREATE INDEX IF NOT EXISTS idx_${stem(t.passkeyCredentials)}_user_id ON ${t.passkeyCredentials}(user_id)`,
    `CREATE TABLE IF NOT EXISTS ${t.loginHistory} (
        id ${serial},
        user_id TEXT NOT NULL,
        timestamp ${ts} NOT NULL,
        auth_method TEXT NOT NULL,
        ip_address TEXT,
        user_agent TEXT,
        success BOOLEAN NOT NULL,
        credential_id TEXT,
        provider TEXT,
        provider_user_id TEXT,
        failure_reason TEXT,
        aaguid TEXT,
        email TEXT
    )`,
    `CREATE INDEX IF NOT EXISTS idx_${t.loginHistory}_user_id ON ${t.loginHistory}(user_id)`,
    `CREATE INDEX IF NOT EXISTS idx_${t.loginHistory}_timestamp ON ${t.loginHistory}(timestamp DESC)`,
  ];
}

export async function createCrateTables(h: PasskeyDataHandle, names: PasskeyTableNames): Promise<void> {
  for (const statement of crateDdl(h.dialect, names)) await h.raw(sql.raw(statement));
}
