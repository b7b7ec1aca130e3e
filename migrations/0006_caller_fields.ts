import { sql, type Kysely } from 'kysely';
import type { Migration } from '../src/adapters/kysely/schema/migrator.js';
import { columnTypes } from './column-types.js';

/** Tables whose records keep a caller's extra fields (upstream's memory adapter keeps them). */
export const EXTRA_FIELD_TABLES = [
  'roles',
  'sso_links',
  'sso_sessions',
  'twofa_devices',
  'twofa_backup_codes',
  'twofa_sessions',
] as const;

/**
 * The fields real callers send beyond the base records (issue 12): an `extra` column of dated JSON
 * for a caller's own fields; on two-factor devices the subtype fields (`backupCodesUsed`,
 * `verificationCode`, `verificationCodeExpiresAt`) and a sealed `metadata`, since callers keep TOTP
 * secrets and SMS codes there. Existing metadata moves to the sealed column as it is (plaintext JSON,
 * as 0004 did for provider secrets): a cipher that reads legacy plaintext reads it, rotation seals it.
 */
export const callerFields: Migration = {
  id: 'authkeep_0006_caller_fields',
  async up(db: Kysely<any>, context) {
    const t = columnTypes(context.dialect);
    for (const table of EXTRA_FIELD_TABLES) {
      await db.schema.alterTable(table).addColumn('extra', t.text).execute();
    }
    await db.schema.alterTable('twofa_devices').addColumn('sealed_metadata', t.text).execute();
    await db.schema.alterTable('twofa_devices').addColumn('backup_codes_used', t.json).execute();
    await db.schema.alterTable('twofa_devices').addColumn('verification_code', t.text).execute();
    await db.schema
      .alterTable('twofa_devices')
      .addColumn('verification_code_expires_at', t.timestamp)
      .execute();
    const asText = context.dialect === 'postgres' ? sql`metadata::text` : sql`metadata`;
    await sql`update twofa_devices set sealed_metadata = ${asText}, metadata = null
      where metadata is not null`.execute(db);
  },
};
