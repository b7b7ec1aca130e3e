import type { ExtraFields, ExtraFieldsPatch } from '../../../domain/fields/extra-fields.js';
import type { Permission, RoleRecord } from '../../../domain/records/records.js';
import type { RoleRepo } from '../../../ports/rbac-repos.js';
import type { Patch } from '../../../ports/repos.js';
import { prepare, slot } from '../prepared.js';
import { recoverInserted } from './recover.js';
import { TableAccess } from './table-access.js';
import type { SqlStore } from '../sql-store.js';
import { hasExtraChanges, updateWithExtra, withStoredExtra, writeExtra } from './extra-column.js';
import { compact, optionalJson, optionalText, patchColumns, text, type ColumnMap } from './mapping.js';

const entity = 'role';

export class KyselyRoleRepo implements RoleRepo {
  private readonly rows: TableAccess<RoleRecord>;
  private readonly byId;
  private readonly assigned;
  private readonly columns: ColumnMap<RoleRecord>;

  constructor(private readonly store: SqlStore) {
    this.rows = new TableAccess(store, 'roles', entity, (row) => this.toRecord(row));
    const { db, codec } = store;
    this.byId = prepare<{ id: string }>(db.selectFrom('roles').selectAll().where('id', '=', slot('id')));
    // Authorisation checks call this on every request: one join, compiled once.
    this.assigned = prepare<{ userId: string; orgId: string }>(
      db
        .selectFrom('roles')
        .innerJoin('user_roles as ur', 'ur.role_id', 'roles.id')
        .selectAll('roles')
        .where('ur.user_id', '=', slot('userId'))
        .where('ur.org_id', '=', slot('orgId'))
        .orderBy('roles.created_at', 'desc')
        .orderBy('roles.id', 'desc'),
    );
    this.columns = {
      name: ['name', (v) => v],
      description: ['description', (v) => v],
      permissions: ['permissions', (v) => codec.json(v)],
      metadata: ['metadata', (v) => codec.json(v)],
    };
  }

  private toRecord(row: Record<string, unknown>): RoleRecord {
    const { codec } = this.store;
    const record = compact({
      id: text(row.id),
      orgId: text(row.org_id),
      name: text(row.name),
      description: optionalText(row.description),
      permissions: (optionalJson<Permission[]>(codec, row.permissions) ?? []).map((p) => compact(p)),
      isSystem: codec.readBool(row.is_system),
      metadata: optionalJson<Record<string, unknown>>(codec, row.metadata),
      createdAt: codec.readTimestamp(row.created_at),
      updatedAt: codec.readTimestamp(row.updated_at),
    });
    return withStoredExtra(record, row.extra);
  }

  private async many(query: ReturnType<typeof this.byId>): Promise<RoleRecord[]> {
    const rows = await this.store.query<Record<string, unknown>>(query, { idempotent: true, entity });
    return rows.map((row) => this.toRecord(row));
  }

  async insert(role: RoleRecord, extra: ExtraFields): Promise<RoleRecord> {
    const { codec } = this.store;
    const row = await this.store.run(
      (db) =>
        db
          .insertInto('roles')
          .values({
            id: role.id,
            org_id: role.orgId,
            name: role.name,
            description: role.description ?? null,
            permissions: codec.json(role.permissions),
            is_system: codec.bool(role.isSystem),
            metadata: role.metadata === undefined ? null : codec.json(role.metadata),
            created_at: codec.timestamp(role.createdAt),
            updated_at: codec.timestamp(role.updatedAt),
            extra: writeExtra(extra),
          })
          .returningAll()
          .executeTakeFirstOrThrow(),
      { idempotent: false, entity, recover: recoverInserted('roles', role.id, (row) => row) },
    );
    return this.toRecord(row);
  }

  async findById(id: string): Promise<RoleRecord | null> {
    return (await this.many(this.byId({ id })))[0] ?? null;
  }

  async listByOrg(orgId: string): Promise<RoleRecord[]> {
    return this.rows.listNewestFirst('org_id', orgId);
  }

  async update(
    id: string,
    patch: Patch<RoleRecord>,
    extra: ExtraFieldsPatch,
    updatedAt: Date,
  ): Promise<RoleRecord | null> {
    const values = {
      ...patchColumns(patch, this.columns),
      updated_at: this.store.codec.timestamp(updatedAt),
    };
    if (!hasExtraChanges(extra)) return this.rows.updateById(id, values);
    return updateWithExtra(this.store, 'roles', entity, id, values, extra, (row) => this.toRecord(row));
  }

  async delete(id: string): Promise<void> {
    await this.store.transaction(
      async (trx) => {
        // The role row first: its lock makes a concurrent assign wait, then find no role.
        await trx.deleteFrom('roles').where('id', '=', id).execute();
        await trx.deleteFrom('user_roles').where('role_id', '=', id).execute();
      },
      { idempotent: true, entity },
    );
  }

  async assign(userId: string, roleId: string, orgId: string, assignedAt: Date): Promise<RoleRecord | null> {
    const at = this.store.codec.timestamp(assignedAt);
    const postgres = this.store.dialect === 'postgres';
    return this.store.transaction(
      async (trx) => {
        // Reading the role with a share lock keeps a concurrent deleteRole from leaving this assignment behind.
        let select = trx.selectFrom('roles').selectAll().where('id', '=', roleId);
        if (postgres) select = select.forShare();
        const role = await select.executeTakeFirst();
        if (!role) return null;
        await trx
          .insertInto('user_roles')
          .values({ user_id: userId, role_id: roleId, org_id: orgId, assigned_at: at })
          .onConflict((oc) => oc.columns(['user_id', 'org_id', 'role_id']).doNothing())
          .execute();
        return this.toRecord(role);
      },
      { idempotent: true, entity },
    );
  }

  async revoke(userId: string, roleId: string, orgId: string): Promise<void> {
    await this.store.run(
      (db) =>
        db
          .deleteFrom('user_roles')
          .where('user_id', '=', userId)
          .where('role_id', '=', roleId)
          .where('org_id', '=', orgId)
          .execute(),
      { idempotent: true, entity },
    );
  }

  listAssigned(userId: string, orgId: string): Promise<RoleRecord[]> {
    return this.many(this.assigned({ userId, orgId }));
  }
}
