/**
 * Where upstream's TIMESTAMP (without time zone) values come from, column by column, read from
 * kitium-ai/auth-postgres src/postgres.ts (v3.0.1 f4edfc5 and v3.1.1 3f44e1f; the methods are the same):
 * - `js`: a JavaScript Date bound as a parameter. node-postgres sends it as the writing process's local
 *   wall-clock time and the column drops the offset, so the value is local time of the upstream process.
 * - `now`: only ever NOW() (a column default or `SET x = NOW()`), so the value is wall-clock time in the
 *   TimeZone setting of upstream's sessions: the server's default, since upstream never sets one.
 * - `updated`: updated_at, written both ways; see `updatedAtSource`.
 */
export type TimeSource = 'js' | 'now' | 'updated';

export const TIME_SOURCES: Record<string, Record<string, TimeSource>> = {
  users: { created_at: 'now', updated_at: 'updated' },
  organizations: { created_at: 'now', updated_at: 'updated' },
  // createApiKey binds `new Date()` for updated_at; expiresAt is the caller's Date.
  api_keys: { created_at: 'now', updated_at: 'updated', expires_at: 'js' },
  sessions: { created_at: 'now', updated_at: 'updated', expires_at: 'js' },
  // markEmailVerificationTokenAsUsed: `SET used_at = NOW()`.
  email_verification_tokens: { created_at: 'now', expires_at: 'js', used_at: 'now' },
  // emitEvent binds event.timestamp.
  auth_events: { timestamp: 'js' },
  roles: { created_at: 'now', updated_at: 'updated' },
  user_roles: { assigned_at: 'now' },
  sso_providers: { created_at: 'now', updated_at: 'updated' },
  // createSSOLink / createSSOSession bind `data.lastAuthAt || new Date()`; linked_at is the default.
  sso_links: { linked_at: 'now', last_auth_at: 'js' },
  sso_sessions: { linked_at: 'now', last_auth_at: 'js', expires_at: 'js' },
  // last_used_at only ever arrives through updateTwoFactorDevice({ lastUsedAt }).
  twofa_devices: { created_at: 'now', updated_at: 'updated', last_used_at: 'js' },
  // markBackupCodeUsed: `SET used = TRUE, used_at = NOW()`.
  twofa_backup_codes: { created_at: 'now', used_at: 'now' },
  // completeTwoFactorSession: `SET completed_at = NOW()`.
  twofa_sessions: { created_at: 'now', expires_at: 'js', completed_at: 'now' },
  // 3.1.x's ledger: `applied_at TIMESTAMP NOT NULL DEFAULT NOW()`, never given a value.
  auth_migrations: { applied_at: 'now' },
};

/**
 * updated_at on insert: NOW() by default, except createApiKey and createSession, which bind `new Date()`.
 * On update: every update method binds `new Date()` — except linkOAuthAccount (`updated_at = NOW()`) —
 * and where 3.1.x's set_updated_at BEFORE UPDATE trigger exists it overwrites the value with NOW().
 */
const INSERTED_BY_JS = new Set(['api_keys', 'sessions']);

/**
 * How one table's updated_at is read. Where insert and update agree, one zone serves the column. Where
 * they disagree, the row tells which path wrote it last:
 * - inserted by NOW(), updated by a Date (3.0.x; sso_providers always): a row never updated has
 *   updated_at = created_at exactly (one statement, one NOW()), so those rows are read in the server's
 *   zone and every other row in the upstream zone. users.linkOAuthAccount also writes NOW(); a user whose
 *   last change was a link is read in the upstream zone, off by the difference of the two zones. We chose
 *   this because updateUser, not linking, is what most rows saw last, and updatedAt drives no expiry.
 * - inserted by a Date, updated by the trigger (api_keys, sessions on 3.1.x): a row read in the upstream
 *   zone that lands within five minutes of its created_at was never updated (insert path, a Date just
 *   before NOW(); zone offsets are multiples of 15 minutes), every other row in the server's zone.
 */
export function updatedAtSource(table: string, hasTrigger: boolean): { insert: Zone; update: Zone } {
  return { insert: INSERTED_BY_JS.has(table) ? 'js' : 'now', update: hasTrigger ? 'now' : 'js' };
}

type Zone = 'js' | 'now';
