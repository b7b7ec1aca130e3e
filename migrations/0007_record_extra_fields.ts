import type { Kysely } from 'kysely';
import type { Migration } from '../src/adapters/kysely/schema/migrator.js';
import { columnTypes } from './column-types.js';

/**
 * The records that gain an `extra` column here: upstream's memory adapter builds each of them as
 * `{ id, ...data, createdAt, updatedAt }` (kitium-ai/auth src/adapters/memory.ts), so a caller's own
 * fields are kept and returned, as 0006 did for the two-factor, RBAC and SSO link/session records.
 */
export const RECORD_EXTRA_FIELD_TABLES = [
  'users',
  'organizations',
  'api_keys',
  'sessions',
  'email_verification_tokens',
  'sso_providers',
  'auth_events',
] as const;

/**
 * A caller's extra fields on the remaining records: one nullable text column of dated JSON per table
 * (the format of json-dates.ts). Nothing to convert: no row had extra fields before. An adopted upstream
 * database reaches here in authkeep's own shape (migration 0000), so it gains the same columns.
 */
export const recordExtraFields: Migration = {
  id: 'authkeep_0007_record_extra_fields',
  async up(db: Kysely<any>, context) {
    const t = columnTypes(context.dialect);
    for (const table of RECORD_EXTRA_FIELD_TABLES) {
      await db.schema.alterTable(table).addColumn('extra', t.text).execute();
    }
  },
};
