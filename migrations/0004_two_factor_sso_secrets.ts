import type { Kysely } from 'kysely';
import type { Migration, MigrationContext } from '../src/adapters/kysely/schema/migrator.js';
import { SSO_PROVIDER_SECRET_FIELDS } from '../src/domain/specs/sso.js';
import { columnTypes } from './column-types.js';

const BATCH = 500;
const SECRET_FIELDS: readonly string[] = [...new Set(Object.values(SSO_PROVIDER_SECRET_FIELDS).flat())];

/**
 * Client secrets and signing keys of an adopted upstream database sit in the provider's JSON config
 * (migration 0000 folded upstream's one-column-per-field providers into it). They move to the
 * `secrets` column as they are (plaintext JSON, as upstream left them): a cipher that reads legacy
 * plaintext can read them and key rotation seals them; nothing is left in the readable config.
 */
async function moveProviderSecrets(db: Kysely<any>, context: MigrationContext): Promise<void> {
  let after = '';
  for (;;) {
    const rows = await db
      .selectFrom('sso_providers')
      .select(['id', 'config'])
      .where('id', '>', after)
      .orderBy('id')
      .limit(BATCH)
      .execute();
    if (rows.length === 0) return;
    for (const row of rows) {
      after = row.id;
      const config = context.codec.readJson<Record<string, unknown> | null>(row.config) ?? {};
      const secrets = Object.fromEntries(SECRET_FIELDS.filter((f) => f in config).map((f) => [f, config[f]]));
      if (Object.keys(secrets).length === 0) continue;
      for (const field of SECRET_FIELDS) delete config[field];
      await db
        .updateTable('sso_providers')
        .set({ config: context.codec.json(config), secrets: JSON.stringify(secrets) })
        .where('id', '=', row.id)
        .execute();
    }
  }
}

/**
 * Secrets of the two-factor and SSO tables become CipherPort envelopes (issue 5): a column for SSO
 * provider secrets, and text columns wide enough for an envelope where upstream had VARCHAR(255)
 * (two-factor session ids and codes) or JSONB (SAML tenant configs, sealed whole).
 */
export const twoFactorSsoSecrets: Migration = {
  id: 'authkeep_0004_two_factor_sso_secrets',
  async up(db: Kysely<any>, context) {
    const t = columnTypes(context.dialect);
    await db.schema.alterTable('sso_providers').addColumn('secrets', t.text).execute();
    await moveProviderSecrets(db, context);
    // SQLite columns are text already; PostgreSQL's need widening (an envelope outgrows VARCHAR(255)).
    if (context.dialect === 'postgres') {
      const widen = [
        ['twofa_sessions', 'session_id'],
        ['twofa_sessions', 'verification_code'],
        ['saml_tenant_configs', 'config'],
      ] as const;
      for (const [table, column] of widen) {
        await db.schema
          .alterTable(table)
          .alterColumn(column, (c) => c.setDataType('text'))
          .execute();
      }
    }
  },
};
