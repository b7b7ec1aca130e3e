import { sql } from 'kysely';
import type { PasskeyTableNames } from '../../../src/adapters/kysely/passkey/index.js';
import type { PasskeyDataHandle } from './backends.js';

/**
 * The oauth2-passkey 0.6 DDL as ../shared/specs/oauth2-passkey.md §3 describes it, written the crate's way:
 * names spliced in unquoted, UPPER-CASE type names. Test fixtures only (the names are our own constants).
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
