import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import { ForbiddenError, type Permission, type RoleRecord } from '../../../src/index.js';
import { describeKeyed } from './keyed-backends.js';

const org = () => `org-${randomUUID()}`;
const read: Permission = { id: 'p-read', name: 'Read', resource: 'document', action: 'read' };
const write: Permission = {
  id: 'p-write',
  name: 'Write',
  description: 'edit documents',
  resource: 'document',
  action: 'write',
  metadata: { level: 2 },
};

describeKeyed('RBAC: roles and assignments', (h) => {
  const role = (orgId: string, extra: Partial<RoleRecord> = {}) =>
    h.adapter.createRole({ orgId, name: 'editor', permissions: [read, write], isSystem: false, ...extra });

  async function assignments(roleId: string): Promise<number> {
    const rows = await h.adapter.sqlStore.db
      .selectFrom('user_roles')
      .select('user_id')
      .where('role_id', '=', roleId)
      .execute();
    return rows.length;
  }

  it('creates a role with permissions and reads it back with Dates', async () => {
    const created = await role(org(), { description: 'Edits', metadata: { color: 'blue' } });
    expect(created).toMatchObject({
      name: 'editor',
      description: 'Edits',
      isSystem: false,
      permissions: [read, write],
    });
    expect(created.createdAt).toBeInstanceOf(Date);
    expect(created.updatedAt).toBeInstanceOf(Date);
    expect(await h.adapter.getRole(created.id)).toEqual(created);
    expect(await h.adapter.getRole('missing')).toBeNull();
  });

  it('validates roles: permissions need their fields, extra fields must be safe data, nothing is written', async () => {
    const orgId = org();
    const bad = [
      { orgId, name: 'x', permissions: [{ id: 'p', name: 'n', resource: 'r' }], isSystem: false },
      { orgId, name: 'x', permissions: [{ ...read, scope: () => 'all' }], isSystem: false },
      { orgId, name: 'x', permissions: [], isSystem: false, admin: new Map() },
      { orgId, name: 'x', permissions: [], isSystem: false, id: 7 },
      { orgId, name: '', permissions: [], isSystem: false },
      { orgId, name: 'x', permissions: 'all', isSystem: false },
    ];
    for (const data of bad) {
      await expect(h.adapter.createRole(data as never)).rejects.toMatchObject({ code: 'validation' });
    }
    expect(await h.adapter.listRoles(orgId)).toEqual([]);
  });

  it('lists an organisation’s roles newest first', async () => {
    const orgId = org();
    const a = await role(orgId, { name: 'a' });
    const b = await role(orgId, { name: 'b' });
    await role(org(), { name: 'elsewhere' });
    expect((await h.adapter.listRoles(orgId)).map((r) => r.id)).toEqual([b.id, a.id]);
  });

  it('updates a role partially, and with the full record passed back (upstream defect 4)', async () => {
    const created = await role(org(), { description: 'old' });
    const renamed = await h.adapter.updateRole(created.id, { name: 'writer', permissions: [read] });
    expect(renamed).toMatchObject({
      name: 'writer',
      permissions: [read],
      description: 'old',
      orgId: created.orgId,
    });
    expect(renamed.updatedAt.getTime()).toBeGreaterThanOrEqual(created.updatedAt.getTime());
    const full = await h.adapter.updateRole(created.id, {
      ...renamed,
      name: 'full',
      createdAt: new Date(0),
      updatedAt: new Date(0),
    });
    expect(full).toMatchObject({ id: created.id, name: 'full', createdAt: created.createdAt });
    expect(full.updatedAt.getTime()).toBeGreaterThan(0);
    const cleared = await h.adapter.updateRole(created.id, { description: undefined });
    expect(cleared).not.toHaveProperty('description');
    expect(await h.adapter.getRole(created.id)).toEqual(cleared);
  });

  it('refuses unsafe extra fields, a move to another organisation and a change of isSystem, writing nothing', async () => {
    const created = await role(org());
    const attempts: Partial<RoleRecord>[] = [
      { name: 'x', superuser: Symbol('s') } as never,
      { orgId: org() },
      { isSystem: true },
      { name: 'x', permissions: [{ id: 'p' }] } as never,
    ];
    for (const data of attempts) {
      await expect(h.adapter.updateRole(created.id, data)).rejects.toMatchObject({ code: 'validation' });
    }
    expect(await h.adapter.getRole(created.id)).toEqual(created);
    await expect(h.adapter.updateRole('missing', { name: 'x' })).rejects.toMatchObject({ code: 'not_found' });
  });

  it('refuses to change or delete a system role, with a clear ForbiddenError', async () => {
    const system = await role(org(), { name: 'owner', isSystem: true });
    const change = h.adapter.updateRole(system.id, { name: 'hijacked' });
    await expect(change).rejects.toBeInstanceOf(ForbiddenError);
    await expect(change).rejects.toMatchObject({
      code: 'forbidden',
      message: 'role "owner" is a system role and cannot be changed through the storage adapter',
    });
    await expect(h.adapter.updateRole(system.id, { ...system })).rejects.toMatchObject({ code: 'forbidden' });
    await expect(h.adapter.deleteRole(system.id)).rejects.toMatchObject({
      code: 'forbidden',
      message: expect.stringContaining('cannot be deleted'),
    });
    expect(await h.adapter.getRole(system.id)).toEqual(system);
    // A system role is still assignable.
    expect((await h.adapter.assignRoleToUser('u-sys', system.id, system.orgId)).id).toBe(system.id);
  });

  it('assigns idempotently (one row for a duplicate assignment, upstream defect 5) and returns the role', async () => {
    const created = await role(org());
    const first = await h.adapter.assignRoleToUser('u1', created.id, created.orgId);
    const second = await h.adapter.assignRoleToUser('u1', created.id, created.orgId);
    expect(first).toEqual(created);
    expect(second).toEqual(created);
    expect(await assignments(created.id)).toBe(1);
    await expect(h.adapter.assignRoleToUser('u1', 'missing', created.orgId)).rejects.toMatchObject({
      code: 'not_found',
    });
  });

  it('getUserRoles returns the roles assigned in that organisation only', async () => {
    const orgA = org();
    const orgB = org();
    const [a1, a2, b1] = [
      await role(orgA, { name: 'a1' }),
      await role(orgA, { name: 'a2' }),
      await role(orgB),
    ];
    await role(orgA, { name: 'unassigned' });
    const user = `u-${randomUUID()}`;
    await h.adapter.assignRoleToUser(user, a1.id, orgA);
    await h.adapter.assignRoleToUser(user, a2.id, orgA);
    await h.adapter.assignRoleToUser(user, b1.id, orgB);
    await h.adapter.assignRoleToUser('someone-else', a1.id, orgA);
    expect(await h.adapter.getUserRoles(user, orgA)).toEqual([a2, a1]);
    expect(await h.adapter.getUserRoles(user, orgB)).toEqual([b1]);
    expect(await h.adapter.getUserRoles(user, org())).toEqual([]);
  });

  it('revokes one assignment; revoking an absent one does nothing', async () => {
    const orgId = org();
    const [a, b] = [await role(orgId, { name: 'a' }), await role(orgId, { name: 'b' })];
    await h.adapter.assignRoleToUser('u2', a.id, orgId);
    await h.adapter.assignRoleToUser('u2', b.id, orgId);
    await h.adapter.revokeRoleFromUser('u2', a.id, orgId);
    await h.adapter.revokeRoleFromUser('u2', a.id, orgId);
    await h.adapter.revokeRoleFromUser('nobody', 'no-role', orgId);
    expect((await h.adapter.getUserRoles('u2', orgId)).map((r) => r.id)).toEqual([b.id]);
  });

  it('deleting a role removes its assignments; deleting a missing role does nothing', async () => {
    const orgId = org();
    const doomed = await role(orgId);
    await h.adapter.assignRoleToUser('u3', doomed.id, orgId);
    await h.adapter.assignRoleToUser('u4', doomed.id, orgId);
    await h.adapter.deleteRole(doomed.id);
    expect(await h.adapter.getRole(doomed.id)).toBeNull();
    expect(await assignments(doomed.id)).toBe(0);
    expect(await h.adapter.getUserRoles('u3', orgId)).toEqual([]);
    await h.adapter.deleteRole(doomed.id);
    await h.adapter.deleteRole('never-existed');
  });

  it('validates id arguments; an empty id finds nothing, as upstream’s memory adapter answers', async () => {
    expect(await h.adapter.getRole('')).toBeNull();
    expect(await h.adapter.listRoles('')).toEqual([]);
    expect(await h.adapter.getUserRoles('u', '')).toEqual([]);
    await h.adapter.deleteRole('');
    await h.adapter.revokeRoleFromUser('u', '', 'o');
    await expect(h.adapter.updateRole('', { name: 'x' })).rejects.toMatchObject({ code: 'not_found' });
    await expect(h.adapter.getRole(7 as never)).rejects.toMatchObject({ code: 'validation' });
    await expect(h.adapter.listRoles('a\u0000b')).rejects.toMatchObject({ code: 'validation' });
    await expect(h.adapter.assignRoleToUser('u', 'r', 'x'.repeat(300))).rejects.toMatchObject({
      code: 'validation',
    });
  });
});
