import { type Kysely, sql } from 'kysely';
import { ConfigError } from '../../src/domain/errors.js';
import { UPSTREAM_PROVIDER_FIELDS } from './catalogue.js';

type Db = Kysely<any>;
type ProviderType = keyof typeof UPSTREAM_PROVIDER_FIELDS;

const BATCH = 500;

/** Upstream's one-column-per-field provider columns, which fold into authkeep's `config`. */
export const PROVIDER_COLUMNS: readonly string[] = [
  ...UPSTREAM_PROVIDER_FIELDS.oidc,
  ...UPSTREAM_PROVIDER_FIELDS.saml,
];

const isProviderType = (type: unknown): type is ProviderType => type === 'oidc' || type === 'saml';

/** A value upstream wrote for a field the caller never gave: its column defaults (FALSE, '{}'). */
function isUpstreamDefault(value: unknown): boolean {
  if (value === null || value === undefined || value === false) return true;
  if (Array.isArray(value)) return value.length === 0;
  return typeof value === 'object' && Object.keys(value).length === 0;
}

/** Refuses before anything changes: a provider authkeep has no record shape for cannot be read. */
export async function checkProviderTypes(db: Db): Promise<void> {
  const { rows } = await sql<{ type: string; n: number }>`
    select type, count(*)::int as n from sso_providers where type not in ('oidc', 'saml') group by type`.execute(
    db,
  );
  if (rows.length > 0) {
    const found = rows.map((row) => `${row.n} of type "${row.type}"`).join(', ');
    throw new ConfigError(
      `sso_providers holds providers authkeep cannot read (${found}): only "oidc" and "saml" providers ` +
        'have a record shape; change or remove them before adopting',
    );
  }
}

/**
 * Upstream keeps every provider field in a column of its own; authkeep keeps them in one `config`
 * JSON (secrets included here, where migration 0004 finds them and moves them into the `secrets`
 * column, readable with a legacy-reading cipher until key rotation seals them). A field of the row's
 * own type is kept whenever upstream stored a value (upstream reads FALSE and '{}' back too); a field of
 * the other type only when it holds more than upstream's column default, so nothing a caller gave is lost.
 */
export async function foldProviderColumns(db: Db): Promise<void> {
  await sql`alter table sso_providers add column config jsonb not null default '{}'::jsonb`.execute(db);
  let after = '';
  for (;;) {
    const rows: Record<string, unknown>[] = await db
      .selectFrom('sso_providers')
      .select(['id', 'type', ...PROVIDER_COLUMNS])
      .where('id', '>', after)
      .orderBy('id')
      .limit(BATCH)
      .execute();
    if (rows.length === 0) break;
    for (const row of rows) {
      after = row.id as string;
      const type = row.type;
      if (!isProviderType(type)) continue; // checkProviderTypes refused these already
      const own: readonly string[] = UPSTREAM_PROVIDER_FIELDS[type];
      const config: Record<string, unknown> = {};
      for (const field of PROVIDER_COLUMNS) {
        const value = row[field];
        if (value === null || value === undefined) continue;
        if (own.includes(field) || !isUpstreamDefault(value)) config[field] = value;
      }
      await db
        .updateTable('sso_providers')
        .set({ config: JSON.stringify(config) })
        .where('id', '=', row.id)
        .execute();
    }
  }
  for (const column of PROVIDER_COLUMNS) {
    await sql`alter table sso_providers drop column ${sql.ref(column)}`.execute(db);
  }
}
