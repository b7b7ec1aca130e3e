import { IntegrityError } from '../../../../domain/errors.js';
import type { SSOProviderRecord } from '../../../../domain/records/records.js';
import {
  SSO_PROVIDER_COLUMN_FIELDS,
  SSO_PROVIDER_SECRET_FIELDS,
  SSO_PROVIDER_SPECS,
  ssoProviderExtraFields,
} from '../../../../domain/specs/sso.js';
import type { CipherPort } from '../../../../ports/cipher.js';
import type { SsoProviderRepo } from '../../../../ports/sso-repos.js';
import { columnCipher, type ColumnCipher } from '../../sealing/encrypted-columns.js';
import { recoverInserted } from '../recover.js';
import { TableAccess } from '../table-access.js';
import type { SqlStore, Trx } from '../../sql-store.js';
import { withStoredExtra, writeExtra } from '../extra-column.js';
import { compact, optionalJson, optionalText, text } from '../mapping.js';

const entity = 'ssoProvider';
type ProviderType = keyof typeof SSO_PROVIDER_SPECS;
type Fields = Record<string, unknown>;

function providerType(value: unknown): ProviderType {
  if (value === 'oidc' || value === 'saml') return value;
  throw new IntegrityError('stored SSO provider has an unknown type');
}

/** The provider's own fields (no id, type, timestamps), split into config JSON, secrets and columns. */
function split(record: SSOProviderRecord) {
  const secretNames: readonly string[] = SSO_PROVIDER_SECRET_FIELDS[record.type];
  const columnNames: readonly string[] = SSO_PROVIDER_COLUMN_FIELDS;
  const config: Fields = {};
  const secrets: Fields = {};
  for (const name of Object.keys(SSO_PROVIDER_SPECS[record.type].rules)) {
    const value = (record as unknown as Fields)[name];
    if (value === undefined || columnNames.includes(name)) continue;
    (secretNames.includes(name) ? secrets : config)[name] = value;
  }
  return { config, secrets: Object.keys(secrets).length > 0 ? secrets : null };
}

/**
 * SSO providers (OIDC and SAML). Upstream kept each provider as one JSON config; here the name, orgId
 * and metadata have columns, the secret fields (client_secret, signing_key) are one encrypted JSON
 * group in `secrets`, bound to the provider id, and the rest stays in `config`.
 */
export class KyselySsoProviderRepo implements SsoProviderRepo {
  private readonly rows: TableAccess<SSOProviderRecord>;
  private readonly secrets: ColumnCipher;

  constructor(
    private readonly store: SqlStore,
    cipher: CipherPort,
  ) {
    this.rows = new TableAccess(store, 'sso_providers', entity, (row) => this.toRecord(row));
    this.secrets = columnCipher(cipher, 'sso_providers', 'secrets');
  }

  private toRecord(row: Record<string, unknown>): SSOProviderRecord {
    const { codec } = this.store;
    const id = text(row.id);
    const type = providerType(row.type);
    const stored = {
      ...optionalJson<Fields>(codec, row.config),
      ...this.secrets.readJson<Fields>(id, row.secrets),
    };
    const fields: Fields = {};
    // Only the type's own fields: an adopted upstream config may also hold id, type or timestamps.
    for (const name of Object.keys(SSO_PROVIDER_SPECS[type].rules)) fields[name] = stored[name];
    const record = compact({
      id,
      type,
      ...fields,
      name: text(row.name),
      orgId: optionalText(row.org_id),
      metadata: optionalJson<Fields>(codec, row.metadata),
      createdAt: codec.readTimestamp(row.created_at),
      updatedAt: codec.readTimestamp(row.updated_at),
    }) as SSOProviderRecord;
    return withStoredExtra(record, row.extra);
  }

  private columns(record: SSOProviderRecord) {
    const { codec } = this.store;
    const { config, secrets } = split(record);
    return {
      type: record.type,
      name: record.name,
      org_id: record.orgId ?? null,
      config: codec.json(config),
      secrets: this.secrets.writeJson(record.id, secrets),
      metadata: record.metadata === undefined ? null : codec.json(record.metadata),
      updated_at: codec.timestamp(record.updatedAt),
      // Fields of neither the provider's kind nor the store: the caller's extra fields, validated and
      // bounded by the facade. The other kind's fields (secrets among them) never get this far.
      extra: writeExtra(ssoProviderExtraFields(record)),
    };
  }

  async insert(provider: SSOProviderRecord): Promise<SSOProviderRecord> {
    const values = {
      id: provider.id,
      ...this.columns(provider),
      created_at: this.store.codec.timestamp(provider.createdAt),
    };
    const row = await this.store.run(
      (db) => db.insertInto('sso_providers').values(values).returningAll().executeTakeFirstOrThrow(),
      { idempotent: false, entity, recover: recoverInserted('sso_providers', provider.id, (row) => row) },
    );
    return this.toRecord(row);
  }

  async findById(id: string): Promise<SSOProviderRecord | null> {
    return this.rows.findOne('id', id);
  }

  async list(orgId?: string): Promise<SSOProviderRecord[]> {
    const rows = await this.store.run(
      (db) => {
        let query = db.selectFrom('sso_providers').selectAll();
        if (orgId !== undefined) query = query.where('org_id', '=', orgId);
        return query.orderBy('created_at', 'desc').orderBy('id', 'desc').execute();
      },
      { idempotent: true, entity },
    );
    return rows.map((row) => this.toRecord(row));
  }

  async update(
    id: string,
    change: (current: SSOProviderRecord) => SSOProviderRecord,
  ): Promise<SSOProviderRecord | null> {
    return this.store.transaction((trx) => this.updateIn(trx, id, change), { idempotent: true, entity });
  }

  private async updateIn(trx: Trx, id: string, change: (current: SSOProviderRecord) => SSOProviderRecord) {
    let select = trx.selectFrom('sso_providers').selectAll().where('id', '=', id);
    if (this.store.dialect === 'postgres') select = select.forUpdate();
    const row = await select.executeTakeFirst();
    if (!row) return null;
    const next = change(this.toRecord(row));
    const written = await trx
      .updateTable('sso_providers')
      .set(this.columns({ ...next, id }))
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    return this.toRecord(written);
  }

  async delete(id: string): Promise<void> {
    await this.store.transaction(
      async (trx) => {
        await trx.deleteFrom('sso_providers').where('id', '=', id).execute();
        await trx.deleteFrom('sso_links').where('provider_id', '=', id).execute();
        await trx.deleteFrom('sso_sessions').where('provider_id', '=', id).execute();
      },
      { idempotent: true, entity },
    );
  }
}
