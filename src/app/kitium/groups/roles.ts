import { assertFixedUnchanged, parsePatchWithFixed } from '../../../domain/fields/fixed-fields.js';
import { parseInputWithExtra } from '../../../domain/fields/record-spec.js';
import type { RoleRecord } from '../../../domain/records/records.js';
import { assertNotSystemRole } from '../../../domain/records/roles.js';
import {
  ROLE_FIXED_FIELDS,
  rolePatchSpec,
  roleSpec,
  type RoleInput,
  type RolePatchInput,
} from '../../../domain/specs/rbac.js';
import type { KitiumContext } from '../context.js';
import { lookupId, notFound, orNotFound } from '../guards.js';

const entity = 'role';

/** RBAC: roles with permissions per organisation, and assignments of roles to users per organisation. */
export class RoleFacade {
  constructor(private readonly ctx: KitiumContext) {}

  /** Keeps the caller's id when given (RBACService passes `role_…`) and the caller's extra fields. */
  async create(data: unknown): Promise<RoleRecord> {
    const { fields, extra } = parseInputWithExtra<RoleInput>(roleSpec, data, ['createdAt', 'updatedAt']);
    const now = this.ctx.clock.now();
    return this.ctx.roles.insert(
      {
        ...fields,
        isSystem: fields.isSystem ?? false,
        id: fields.id ?? this.ctx.ids.id(),
        createdAt: now,
        updatedAt: now,
      },
      extra,
    );
  }

  async get(id: unknown): Promise<RoleRecord | null> {
    const key = lookupId(id);
    return key === null ? null : this.ctx.roles.findById(key);
  }

  /** A full record may be passed back: orgId and isSystem are accepted when unchanged. */
  async update(id: unknown, data: unknown): Promise<RoleRecord> {
    const key = lookupId(id);
    const { patch, fixed, extra } = parsePatchWithFixed<RolePatchInput>(
      rolePatchSpec,
      ROLE_FIXED_FIELDS,
      data,
    );
    if (key === null) notFound(entity);
    const current = orNotFound(await this.ctx.roles.findById(key), entity);
    // isSystem never changes through the adapter, so this check cannot race with the write.
    assertNotSystemRole(current, 'changed');
    assertFixedUnchanged(entity, fixed, current);
    return orNotFound(await this.ctx.roles.update(key, patch, extra, this.ctx.clock.now()), entity);
  }

  /** Removes the role and its assignments; a missing role is a no-op, a system role is forbidden. */
  async delete(id: unknown): Promise<void> {
    const key = lookupId(id);
    if (key === null) return;
    const current = await this.ctx.roles.findById(key);
    if (!current) return;
    assertNotSystemRole(current, 'deleted');
    await this.ctx.roles.delete(key);
  }

  async list(orgId: unknown): Promise<RoleRecord[]> {
    const key = lookupId(orgId, 'orgId');
    return key === null ? [] : this.ctx.roles.listByOrg(key);
  }

  /**
   * Idempotent: assigning twice leaves one assignment. Returns the role; a missing role is not_found,
   * and so is an empty id (a write by an empty id finds nothing to write to, without a query).
   */
  async assign(userId: unknown, roleId: unknown, orgId: unknown): Promise<RoleRecord> {
    const user = lookupId(userId, 'userId');
    const role = lookupId(roleId, 'roleId');
    const org = lookupId(orgId, 'orgId');
    if (user === null || role === null || org === null) notFound(entity);
    return orNotFound(await this.ctx.roles.assign(user, role, org, this.ctx.clock.now()), entity);
  }

  async revoke(userId: unknown, roleId: unknown, orgId: unknown): Promise<void> {
    const user = lookupId(userId, 'userId');
    const role = lookupId(roleId, 'roleId');
    const org = lookupId(orgId, 'orgId');
    if (user === null || role === null || org === null) return;
    await this.ctx.roles.revoke(user, role, org);
  }

  /** Permission checks pass an empty orgId when the check names none: that finds no roles. */
  async listForUser(userId: unknown, orgId: unknown): Promise<RoleRecord[]> {
    const user = lookupId(userId, 'userId');
    const org = lookupId(orgId, 'orgId');
    return user === null || org === null ? [] : this.ctx.roles.listAssigned(user, org);
  }
}
