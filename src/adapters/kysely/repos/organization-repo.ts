import type { ExtraFields, ExtraFieldsPatch } from '../../../domain/fields/extra-fields.js';
import type { OrganizationMember, OrganizationRecord } from '../../../domain/records/records.js';
import type { OrganizationRepo, Patch } from '../../../ports/repos.js';
import { recoverInserted } from './recover.js';
import { TableAccess } from './table-access.js';
import type { SqlStore } from '../sql-store.js';
import { hasExtraChanges, updateWithExtra, withStoredExtra, writeExtra } from './extra-column.js';
import { compact, optionalJson, patchColumns, reviveDates, text, type ColumnMap } from './mapping.js';

const entity = 'organization';

export class KyselyOrganizationRepo implements OrganizationRepo {
  private readonly rows: TableAccess<OrganizationRecord>;
  private readonly columns: ColumnMap<OrganizationRecord>;

  constructor(private readonly store: SqlStore) {
    this.rows = new TableAccess(store, 'organizations', entity, (row) => this.toRecord(row));
    const { codec } = store;
    this.columns = {
      name: ['name', (v) => v],
      plan: ['plan', (v) => v],
      seats: ['seats', (v) => v],
      members: ['members', (v) => codec.json(v)],
      metadata: ['metadata', (v) => codec.json(v)],
    };
  }

  private toRecord(row: Record<string, unknown>): OrganizationRecord {
    const { codec } = this.store;
    const members = codec.readJson<OrganizationMember[] | null>(row.members) ?? [];
    const record = compact({
      id: text(row.id),
      name: text(row.name),
      plan: text(row.plan),
      seats: Number(row.seats),
      members: members.map(
        (member) =>
          reviveDates(member as unknown as Record<string, unknown>, [
            'joinedAt',
          ]) as unknown as OrganizationMember,
      ),
      metadata: optionalJson<Record<string, unknown>>(codec, row.metadata),
      createdAt: codec.readTimestamp(row.created_at),
      updatedAt: codec.readTimestamp(row.updated_at),
    });
    return withStoredExtra(record, row.extra);
  }

  async insert(record: OrganizationRecord, extra: ExtraFields): Promise<OrganizationRecord> {
    const { codec } = this.store;
    const row = await this.store.run(
      (db) =>
        db
          .insertInto('organizations')
          .values({
            id: record.id,
            name: record.name,
            plan: record.plan,
            seats: record.seats,
            members: codec.json(record.members),
            metadata: record.metadata === undefined ? null : codec.json(record.metadata),
            created_at: codec.timestamp(record.createdAt),
            updated_at: codec.timestamp(record.updatedAt),
            extra: writeExtra(extra),
          })
          .returningAll()
          .executeTakeFirstOrThrow(),
      { idempotent: false, entity, recover: recoverInserted('organizations', record.id, (row) => row) },
    );
    return this.toRecord(row);
  }

  async findById(id: string): Promise<OrganizationRecord | null> {
    return this.rows.findOne('id', id);
  }

  async update(
    id: string,
    patch: Patch<OrganizationRecord>,
    extra: ExtraFieldsPatch,
    updatedAt: Date,
  ): Promise<OrganizationRecord | null> {
    const values = {
      ...patchColumns(patch, this.columns),
      updated_at: this.store.codec.timestamp(updatedAt),
    };
    if (!hasExtraChanges(extra)) return this.rows.updateById(id, values);
    return updateWithExtra(this.store, 'organizations', entity, id, values, extra, (row) =>
      this.toRecord(row),
    );
  }

  async delete(id: string): Promise<void> {
    await this.store.run(
      (db) =>
        db.transaction().execute(async (trx) => {
          await trx.deleteFrom('user_roles').where('org_id', '=', id).execute();
          await trx.deleteFrom('roles').where('org_id', '=', id).execute();
          await trx.deleteFrom('organizations').where('id', '=', id).execute();
        }),
      { idempotent: true, entity },
    );
  }
}
