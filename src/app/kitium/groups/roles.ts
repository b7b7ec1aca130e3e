import { assertFixedUnchanged, parsePatchWithFixed } from '../../../domain/fixed-fields.js';
import { parseInput } from '../../../domain/record-spec.js';
import type { RoleRecord } from '../../../domain/records.js';
import { assertNotSystemRole } from '../../../domain/roles.js';
import {
  ROLE_FIXED_FIELDS,
  rolePatchSpec,
  roleSpec,
  type RoleInput,
  type RolePatchInput,
} from '../../../domain/specs/rbac.js';
import type { KitiumContext } from '../context.js';
import { checkId, orNotFound } from '../guards.js';

const entity = 'role';

/** RBAC: roles with permissions per organisation, and assignments of roles to users per organisation. */
export class RoleFacade {
  constructor(private readonly ctx: KitiumContext) {}

  async create(data: unknown): Promise<RoleRecord> {
    const input = parseInput<RoleInput>(roleSpec, data, ['id', 'createdAt', 'updatedAt']);
    const now = this.ctx.clock.now();
    return this.ctx.roles.insert({
      ...input,
      isSystem: input.isSystem ?? false,
      id: this.ctx.ids.id(),
      createdAt: now,
      updatedAt: now,
    });
  }

  async get(id: unknown): Promise<RoleRecord | null> {
    return this.ctx.roles.findById(checkId(id));
  }

  /** A full record may be passed back: orgId and isSystem are accepted when unchanged. */
  async update(id: unknown, data: unknown): Promise<RoleRecord> {
    const key = checkId(id);
    const { patch, fixed } = parsePatchWithFixed<RolePatchInput>(rolePatchSpec, ROLE_FIXED_FIELDS, data);
    const current = orNotFound(await this.ctx.roles.findById(key), entity);
    // isSystem never changes through the adapter, so this check cannot race with the write.
    assertNotSystemRole(current, 'changed');
    assertFixedUnchanged(entity, fixed, current);
    return orNotFound(await this.ctx.roles.update(key, patch, this.ctx.clock.now()), entity);
  }

  /** Removes the role and its assignments; a missing role is a no-op, a system role is forbidden. */
  async delete(id: unknown): Promise<void> {
    const key = checkId(id);
    const current = await this.ctx.roles.findById(key);
    if (!current) return;
    assertNotSystemRole(current, 'deleted');
    await this.ctx.roles.delete(key);
  }

  async list(orgId: unknown): Promise<RoleRecord[]> {
    return this.ctx.roles.listByOrg(checkId(orgId, 'orgId'));
  }

  /** Idempotent: assigning twice leaves one assignment. Returns the role; a missing role is not_found. */
  async assign(userId: unknown, roleId: unknown, orgId: unknown): Promise<RoleRecord> {
    const role = await this.ctx.roles.assign(
      checkId(userId, 'userId'),
      checkId(roleId, 'roleId'),
      checkId(orgId, 'orgId'),
      this.ctx.clock.now(),
    );
    return orNotFound(role, entity);
  }

  async revoke(userId: unknown, roleId: unknown, orgId: unknown): Promise<void> {
    await this.ctx.roles.revoke(
      checkId(userId, 'userId'),
      checkId(roleId, 'roleId'),
      checkId(orgId, 'orgId'),
    );
  }

  async listForUser(userId: unknown, orgId: unknown): Promise<RoleRecord[]> {
    return this.ctx.roles.listAssigned(checkId(userId, 'userId'), checkId(orgId, 'orgId'));
  }
}
