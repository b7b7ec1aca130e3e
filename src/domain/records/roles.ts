import { ForbiddenError } from '../errors.js';
import type { RoleRecord } from './records.js';

/** System roles are seeded by the application and only changed by it, never through the adapter. */
export function assertNotSystemRole(role: RoleRecord, action: 'changed' | 'deleted'): void {
  if (!role.isSystem) return;
  throw new ForbiddenError(
    `role "${role.name}" is a system role and cannot be ${action} through the storage adapter`,
    {
      details: { entity: 'role', id: role.id },
    },
  );
}
