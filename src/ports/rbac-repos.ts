import type { ExtraFields, ExtraFieldsPatch } from '../domain/fields/extra-fields.js';
import type { RoleRecord } from '../domain/records/records.js';
import type { Patch } from './repos.js';

export interface RoleRepo {
  /** `extra` holds the caller's own fields, returned with the role. */
  insert(role: RoleRecord, extra: ExtraFields): Promise<RoleRecord>;
  findById(id: string): Promise<RoleRecord | null>;
  listByOrg(orgId: string): Promise<RoleRecord[]>;
  /** Returns null when no role has this id; extra fields merge per field (`undefined` removes one). */
  update(
    id: string,
    patch: Patch<RoleRecord>,
    extra: ExtraFieldsPatch,
    updatedAt: Date,
  ): Promise<RoleRecord | null>;
  /** Deletes the role and every assignment of it, atomically. */
  delete(id: string): Promise<void>;
  /** Adds the assignment unless it exists (idempotent); null when the role does not exist. */
  assign(userId: string, roleId: string, orgId: string, assignedAt: Date): Promise<RoleRecord | null>;
  revoke(userId: string, roleId: string, orgId: string): Promise<void>;
  /** The roles assigned to a user in one organisation, in one query. */
  listAssigned(userId: string, orgId: string): Promise<RoleRecord[]>;
}
