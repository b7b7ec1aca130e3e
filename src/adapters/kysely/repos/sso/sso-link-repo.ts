import type { ExtraFields } from '../../../../domain/fields/extra-fields.js';
import type { SSOLink, SSOProviderType } from '../../../../domain/records/records.js';
import type { SsoLinkRepo } from '../../../../ports/sso-repos.js';
import { recoverInserted } from '../recover.js';
import { TableAccess } from '../table-access.js';
import type { SqlStore } from '../../sql-store.js';
import { withStoredExtra, writeExtra } from '../extra-column.js';
import { compact, optionalJson, optionalText, text } from '../mapping.js';

const entity = 'ssoLink';

export class KyselySsoLinkRepo implements SsoLinkRepo {
  private readonly rows: TableAccess<SSOLink>;
  constructor(private readonly store: SqlStore) {
    this.rows = new TableAccess(store, 'sso_links', entity, (row) => this.toRecord(row));
  }

  private toRecord(row: Record<string, unknown>): SSOLink {
    const { codec } = this.store;
    const record = compact({
      id: text(row.id),
      userId: text(row.user_id),
      providerId: text(row.provider_id),
      providerType: text(row.provider_type) as SSOProviderType,
      providerSubject: text(row.provider_subject),
      providerEmail: optionalText(row.provider_email),
      autoProvisioned:
        row.auto_provisioned === null || row.auto_provisioned === undefined
          ? undefined
          : codec.readBool(row.auto_provisioned),
      metadata: optionalJson<Record<string, unknown>>(codec, row.metadata),
      linkedAt: codec.readTimestamp(row.linked_at),
      lastAuthAt: codec.readTimestamp(row.last_auth_at),
    });
    return withStoredExtra(record, row.extra);
  }

  async insert(link: SSOLink, extra: ExtraFields): Promise<SSOLink> {
    const { codec } = this.store;
    const row = await this.store.run(
      (db) =>
        db
          .insertInto('sso_links')
          .values({
            id: link.id,
            user_id: link.userId,
            provider_id: link.providerId,
            provider_type: link.providerType,
            provider_subject: link.providerSubject,
            provider_email: link.providerEmail ?? null,
            auto_provisioned: link.autoProvisioned === undefined ? null : codec.bool(link.autoProvisioned),
            metadata: link.metadata === undefined ? null : codec.json(link.metadata),
            linked_at: codec.timestamp(link.linkedAt),
            last_auth_at: codec.timestamp(link.lastAuthAt),
            extra: writeExtra(extra),
          })
          .returningAll()
          .executeTakeFirstOrThrow(),
      { idempotent: false, entity, recover: recoverInserted('sso_links', link.id, (row) => row) },
    );
    return this.toRecord(row);
  }

  async findById(id: string): Promise<SSOLink | null> {
    return this.rows.findOne('id', id);
  }

  async listByUser(userId: string): Promise<SSOLink[]> {
    const rows = await this.store.run(
      (db) =>
        db
          .selectFrom('sso_links')
          .selectAll()
          .where('user_id', '=', userId)
          .orderBy('linked_at', 'desc')
          .orderBy('id', 'desc')
          .execute(),
      { idempotent: true, entity },
    );
    return rows.map((row) => this.toRecord(row));
  }

  async delete(id: string): Promise<void> {
    await this.rows.deleteById(id);
  }
}
