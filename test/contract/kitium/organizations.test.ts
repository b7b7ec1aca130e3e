import { expect, it } from 'vitest';
import { describeKitium } from './backends.js';

describeKitium('organizations', (h) => {
  const joinedAt = new Date('2029-05-06T07:08:09.010Z');
  const input = () => ({
    name: 'Acme',
    plan: 'team',
    seats: 5,
    members: [
      { userId: 'u1', role: 'owner' as const, joinedAt },
      { userId: 'u2', role: 'member' as const, joinedAt: new Date() },
    ],
  });

  it('creates and reads back, member dates as Dates', async () => {
    const org = await h.adapter.createOrganization({ ...input(), metadata: { region: 'eu' } });
    const read = await h.adapter.getOrganization(org.id);
    expect(read).toEqual(org);
    expect(read?.members[0]?.joinedAt).toBeInstanceOf(Date);
    expect(read?.members[0]?.joinedAt).toEqual(joinedAt);
  });

  it('updates members and seats; ignores store-owned fields; rejects unsafe keys and bad roles', async () => {
    const org = await h.adapter.createOrganization(input());
    const updated = await h.adapter.updateOrganization(org.id, { ...org, seats: 10, members: [] });
    expect(updated).toMatchObject({ id: org.id, seats: 10, members: [] });
    // Other keys are the caller's extra fields (caller-shapes.test.ts); prototype keys are refused.
    await expect(h.adapter.updateOrganization(org.id, { prototype: 'x' } as never)).rejects.toMatchObject({
      code: 'validation',
    });
    await expect(
      h.adapter.updateOrganization(org.id, {
        members: [{ userId: 'x', role: 'god' as never, joinedAt: new Date() }],
      }),
    ).rejects.toMatchObject({ code: 'validation' });
    await expect(h.adapter.updateOrganization(org.id, { seats: -1 })).rejects.toMatchObject({
      code: 'validation',
    });
    await expect(h.adapter.updateOrganization(org.id, { seats: 1.5 })).rejects.toMatchObject({
      code: 'validation',
    });
    expect((await h.adapter.getOrganization(org.id))?.seats).toBe(10);
  });

  it('get missing → null, update missing → not_found, delete missing → no-op', async () => {
    expect(await h.adapter.getOrganization('missing')).toBeNull();
    await expect(h.adapter.updateOrganization('missing', { seats: 1 })).rejects.toMatchObject({
      code: 'not_found',
    });
    await expect(h.adapter.deleteOrganization('missing')).resolves.toBeUndefined();
  });

  it('deletes', async () => {
    const org = await h.adapter.createOrganization(input());
    await h.adapter.deleteOrganization(org.id);
    expect(await h.adapter.getOrganization(org.id)).toBeNull();
  });
});
