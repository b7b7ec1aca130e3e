import { createHash } from 'node:crypto';
import { expect, it } from 'vitest';
import { describeKitium } from './backends.js';

const hour = 3_600_000;

describeKitium('sessions', (h) => {
  const input = (userId = 'u1') => ({
    userId,
    entitlements: ['feature:a'],
    expiresAt: new Date(Date.now() + hour),
    updatedAt: new Date(),
  });

  it('creates a session with a 256-bit id and reads it back identically', async () => {
    const session = await h.adapter.createSession({
      ...input(),
      orgId: 'o1',
      plan: 'pro',
      metadata: { ip: '10.0.0.1', nested: { n: 1 } },
    });
    // 256 random bits, then the expiry bucket it is stored in (src/domain/records/session-bucket.ts).
    expect(session.id).toMatch(/^[A-Za-z0-9_-]{43}\.[0-9a-z]+$/);
    expect(await h.adapter.getSession(session.id)).toEqual(session);
  });

  it('omits absent optional fields', async () => {
    const session = await h.adapter.createSession(input());
    const read = await h.adapter.getSession(session.id);
    expect(read).not.toHaveProperty('orgId');
    expect(read).not.toHaveProperty('plan');
    expect(read).not.toHaveProperty('metadata');
  });

  it('keeps timestamps to the millisecond', async () => {
    const expiresAt = new Date('2031-02-03T04:05:06.789Z');
    const session = await h.adapter.createSession({ ...input(), expiresAt });
    expect((await h.adapter.getSession(session.id))?.expiresAt.toISOString()).toBe(
      '2031-02-03T04:05:06.789Z',
    );
  });

  it('returns null for unknown ids and for the stored digest itself', async () => {
    const session = await h.adapter.createSession(input());
    expect(await h.adapter.getSession('no-such-session')).toBeNull();
    const digest = createHash('sha256').update(session.id).digest('hex');
    expect(await h.adapter.getSession(digest)).toBeNull();
  });

  it('updates and sets updatedAt; rejects unsafe fields; not_found for missing', async () => {
    const session = await h.adapter.createSession(input());
    await new Promise((r) => setTimeout(r, 5));
    const updated = await h.adapter.updateSession(session.id, { plan: 'team', entitlements: [] });
    expect(updated).toMatchObject({ id: session.id, plan: 'team', entitlements: [] });
    expect(updated.updatedAt.getTime()).toBeGreaterThan(session.updatedAt.getTime());
    // Other keys are the caller's extra fields (caller-shapes.test.ts); prototype keys are refused.
    await expect(
      h.adapter.updateSession(session.id, JSON.parse('{"plan": "evil", "__proto__": {"token": "x"}}')),
    ).rejects.toMatchObject({ code: 'validation' });
    expect((await h.adapter.getSession(session.id))?.plan).toBe('team');
    await expect(h.adapter.updateSession('missing', { plan: 'x' })).rejects.toMatchObject({
      code: 'not_found',
    });
  });

  it('deletes; deleting twice is a no-op', async () => {
    const session = await h.adapter.createSession(input());
    await h.adapter.deleteSession(session.id);
    await h.adapter.deleteSession(session.id);
    expect(await h.adapter.getSession(session.id)).toBeNull();
  });

  it('rejects invalid input and writes nothing', async () => {
    await expect(h.adapter.createSession({ ...input(), expiresAt: new Date('nope') })).rejects.toMatchObject({
      code: 'validation',
    });
    await expect(h.adapter.createSession({ ...input(), userId: 'a\u0000b' })).rejects.toMatchObject({
      code: 'validation',
    });
    await expect(h.adapter.createSession({ ...input(), entitlements: 'all' as never })).rejects.toMatchObject(
      { code: 'validation' },
    );
    await expect(
      h.adapter.createSession({ ...input(), metadata: { big: 'x'.repeat(70_000) } }),
    ).rejects.toMatchObject({ code: 'validation' });
  });
});
