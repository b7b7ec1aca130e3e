import { IntegrityError } from '../../../../domain/errors.js';
import { parseWithDates, stringifyWithDates } from '../../../../domain/fields/json-dates.js';
import type { CipherPort } from '../../../../ports/cipher.js';
import type { SamlTenantConfigRepo } from '../../../../ports/sso-repos.js';
import { columnCipher, type ColumnCipher } from '../../sealing/encrypted-columns.js';
import type { SqlStore, Trx } from '../../sql-store.js';

const entity = 'samlTenantConfig';
type Config = Record<string, unknown>;

/**
 * SAML tenant configs have no declared shape, so any field may be a private key: the whole config is
 * one envelope (of JSON that keeps its Dates), bound to the tenant id.
 */
export class KyselySamlTenantConfigRepo implements SamlTenantConfigRepo {
  private readonly configs: ColumnCipher;

  constructor(
    private readonly store: SqlStore,
    cipher: CipherPort,
  ) {
    this.configs = columnCipher(cipher, 'saml_tenant_configs', 'config');
  }

  private seal(tenantId: string, config: Config): string {
    return this.configs.write(tenantId, stringifyWithDates(config));
  }

  private open(tenantId: string, stored: unknown): Config {
    const value = parseWithDates(this.configs.read(tenantId, stored) ?? 'null');
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new IntegrityError('stored SAML tenant config is not an object');
    }
    return value as Config;
  }

  async put(tenantId: string, config: Config, at: Date): Promise<void> {
    const sealed = this.seal(tenantId, config);
    const now = this.store.codec.timestamp(at);
    await this.store.run(
      (db) =>
        db
          .insertInto('saml_tenant_configs')
          .values({ tenant_id: tenantId, config: sealed, created_at: now, updated_at: now })
          .onConflict((oc) => oc.column('tenant_id').doUpdateSet({ config: sealed, updated_at: now }))
          .execute(),
      { idempotent: true, entity },
    );
  }

  async find(tenantId: string): Promise<Config | null> {
    const row = await this.store.run(
      (db) =>
        db
          .selectFrom('saml_tenant_configs')
          .select('config')
          .where('tenant_id', '=', tenantId)
          .executeTakeFirst(),
      { idempotent: true, entity },
    );
    return row ? this.open(tenantId, row.config) : null;
  }

  async update(tenantId: string, change: (current: Config) => Config, at: Date): Promise<boolean> {
    return this.store.transaction((trx) => this.updateIn(trx, tenantId, change, at), {
      idempotent: true,
      entity,
    });
  }

  private async updateIn(trx: Trx, tenantId: string, change: (current: Config) => Config, at: Date) {
    let select = trx.selectFrom('saml_tenant_configs').select('config').where('tenant_id', '=', tenantId);
    if (this.store.dialect === 'postgres') select = select.forUpdate();
    const row = await select.executeTakeFirst();
    if (!row) return false;
    const sealed = this.seal(tenantId, change(this.open(tenantId, row.config)));
    await trx
      .updateTable('saml_tenant_configs')
      .set({ config: sealed, updated_at: this.store.codec.timestamp(at) })
      .where('tenant_id', '=', tenantId)
      .execute();
    return true;
  }

  async delete(tenantId: string): Promise<void> {
    await this.store.run(
      (db) => db.deleteFrom('saml_tenant_configs').where('tenant_id', '=', tenantId).execute(),
      { idempotent: true, entity },
    );
  }
}
