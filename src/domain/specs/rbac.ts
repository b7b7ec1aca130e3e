import { LIMITS } from '../fields/limits.js';
import { defineRecord } from '../fields/record-spec.js';
import type { Permission, RoleRecord } from '../records/records.js';
import { array, boolean, id, jsonObject, object, string } from '../fields/validation.js';

const short = () => string({ max: LIMITS.shortText });
const text = () => string({ max: LIMITS.text, allowEmpty: true });

export const permissionRule = object<Permission>(
  {
    id: id(),
    name: short(),
    description: text(),
    resource: short(),
    action: short(),
    metadata: jsonObject(),
  },
  ['description', 'metadata'],
  // Upstream keeps whatever else a permission object carries.
  { extras: true },
);

/**
 * What a caller gives `createRole`: its own id is kept when given (RBACService passes `role_…`), and
 * `isSystem` defaults to false when a JavaScript caller omits it. Other fields are extra fields.
 */
export type RoleInput = Omit<RoleRecord, 'id' | 'createdAt' | 'updatedAt' | 'isSystem'> & {
  id?: string;
  isSystem?: boolean;
};
export const roleSpec = defineRecord<RoleInput>(
  'role',
  {
    id: id(),
    orgId: id(),
    name: short(),
    description: text(),
    permissions: array(permissionRule),
    isSystem: boolean(),
    metadata: jsonObject(),
  },
  ['id', 'description', 'isSystem', 'metadata'],
  { extras: true },
);

/** Fields an update may change. `orgId` and `isSystem` are fixed at creation (see fixed-fields.ts). */
export type RolePatchInput = Pick<RoleRecord, 'name' | 'description' | 'permissions' | 'metadata'>;
export const rolePatchSpec = defineRecord<RolePatchInput>(
  'role',
  {
    name: short(),
    description: text(),
    permissions: array(permissionRule),
    metadata: jsonObject(),
  },
  ['description', 'metadata'],
  { extras: true },
);

export const ROLE_FIXED_FIELDS = { orgId: id(), isSystem: boolean() } as const;
