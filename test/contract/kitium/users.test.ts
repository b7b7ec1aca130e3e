import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import { describeKitium } from './backends.js';

const email = (tag: string) => `${tag}-${randomUUID()}@Example.com`;

describeKitium('users and OAuth links', (h) => {
  it('creates with defaults and reads back by id', async () => {
    const user = await h.adapter.createUser({ email: email('a'), name: 'Ada', metadata: { locale: 'en' } });
    expect(user.entitlements).toEqual([]);
    expect(user).not.toHaveProperty('oauth');
    expect(await h.adapter.getUser(user.id)).toEqual(user);
  });

  it('creates a user without an email', async () => {
    const user = await h.adapter.createUser({ name: 'no mail' });
    expect(user).not.toHaveProperty('email');
    expect(await h.adapter.getUser(user.id)).toEqual(user);
  });

  it('trims the email, keeps its case, and finds it case-insensitively', async () => {
    const address = email('Case');
    const user = await h.adapter.createUser({ email: `  ${address}\t` });
    expect(user.email).toBe(address);
    expect((await h.adapter.getUserByEmail(address.toUpperCase()))?.id).toBe(user.id);
    expect((await h.adapter.getUserByEmail(` ${address.toLowerCase()} `))?.id).toBe(user.id);
    expect(await h.adapter.getUserByEmail(`x${address}`)).toBeNull();
  });

  it('refuses a second user with the same email in another case', async () => {
    const address = email('dup');
    await h.adapter.createUser({ email: address });
    await expect(h.adapter.createUser({ email: address.toUpperCase() })).rejects.toMatchObject({
      code: 'conflict',
    });
    await expect(h.adapter.createUser({ email: ` ${address} ` })).rejects.toMatchObject({ code: 'conflict' });
  });

  it('updates email with the same uniqueness rule, and frees the old address', async () => {
    const a = await h.adapter.createUser({ email: email('u1') });
    const b = await h.adapter.createUser({ email: email('u2') });
    await expect(h.adapter.updateUser(b.id, { email: a.email!.toUpperCase() })).rejects.toMatchObject({
      code: 'conflict',
    });
    const moved = await h.adapter.updateUser(a.id, { email: email('u3') });
    expect((await h.adapter.getUserByEmail(moved.email!))?.id).toBe(a.id);
    expect(await h.adapter.getUserByEmail(a.email!)).toBeNull();
    const freed = await h.adapter.createUser({ email: a.email! });
    expect(freed.id).not.toBe(a.id);
  });

  it('updates fields, clears optional ones, rejects unsafe keys and a blank email', async () => {
    const user = await h.adapter.createUser({ email: email('upd'), name: 'Old', plan: 'free' });
    const updated = await h.adapter.updateUser(user.id, {
      name: 'New',
      plan: undefined,
      entitlements: ['x'],
    });
    expect(updated).toMatchObject({ name: 'New', entitlements: ['x'] });
    expect(updated).not.toHaveProperty('plan');
    // Other keys are the caller's extra fields (caller-shapes.test.ts); prototype keys are refused.
    await expect(
      h.adapter.updateUser(user.id, JSON.parse('{"name": "Evil", "__proto__": {"isAdmin": true}}')),
    ).rejects.toMatchObject({ code: 'validation' });
    await expect(h.adapter.updateUser(user.id, { email: '   ' })).rejects.toMatchObject({
      code: 'validation',
    });
    await expect(h.adapter.updateUser('missing', { name: 'x' })).rejects.toMatchObject({ code: 'not_found' });
    expect((await h.adapter.getUser(user.id))?.name).toBe('New');
  });

  it('links OAuth accounts under oauth[provider] and finds users by (provider, sub)', async () => {
    const user = await h.adapter.createUser({ email: email('oauth') });
    const linkedAt = new Date('2030-01-02T03:04:05.678Z');
    const sub = randomUUID();
    const linked = await h.adapter.linkOAuthAccount(user.id, 'google', {
      provider: 'google',
      sub,
      email: 'g@x.io',
      linkedAt,
    });
    expect(linked.oauth?.google).toEqual({ provider: 'google', sub, email: 'g@x.io', linkedAt });
    expect(linked.oauth?.google?.linkedAt).toBeInstanceOf(Date);
    const found = await h.adapter.getUserByOAuth('google', sub);
    expect(found?.id).toBe(user.id);
    expect(found?.oauth?.google?.linkedAt).toEqual(linkedAt);
    expect(await h.adapter.getUserByOAuth('github', sub)).toBeNull();
  });

  it('keeps links of several providers, and relinking a provider replaces its identity', async () => {
    const user = await h.adapter.createUser({});
    const [s1, s2, s3] = [randomUUID(), randomUUID(), randomUUID()];
    await h.adapter.linkOAuthAccount(user.id, 'google', {
      provider: 'google',
      sub: s1,
      linkedAt: new Date(),
    });
    await h.adapter.linkOAuthAccount(user.id, 'github', {
      provider: 'github',
      sub: s2,
      linkedAt: new Date(),
    });
    const relinked = await h.adapter.linkOAuthAccount(user.id, 'google', {
      provider: 'google',
      sub: s3,
      linkedAt: new Date(),
    });
    expect(Object.keys(relinked.oauth ?? {}).sort()).toEqual(['github', 'google']);
    expect(await h.adapter.getUserByOAuth('google', s1)).toBeNull();
    expect((await h.adapter.getUserByOAuth('google', s3))?.id).toBe(user.id);
    expect((await h.adapter.getUserByOAuth('github', s2))?.id).toBe(user.id);
  });

  it('refuses to link one (provider, sub) to a second user', async () => {
    const a = await h.adapter.createUser({});
    const b = await h.adapter.createUser({});
    const sub = randomUUID();
    await h.adapter.linkOAuthAccount(a.id, 'google', { provider: 'google', sub, linkedAt: new Date() });
    await expect(
      h.adapter.linkOAuthAccount(b.id, 'google', { provider: 'google', sub, linkedAt: new Date() }),
    ).rejects.toMatchObject({
      code: 'conflict',
    });
    expect((await h.adapter.getUserByOAuth('google', sub))?.id).toBe(a.id);
    expect((await h.adapter.getUser(b.id))?.oauth).toBeUndefined();
  });

  it('linking to a missing user is not_found; a mismatched provider is a validation error', async () => {
    await expect(
      h.adapter.linkOAuthAccount('missing', 'google', { provider: 'google', sub: 's', linkedAt: new Date() }),
    ).rejects.toMatchObject({
      code: 'not_found',
    });
    const user = await h.adapter.createUser({});
    await expect(
      h.adapter.linkOAuthAccount(user.id, 'google', { provider: 'github', sub: 's', linkedAt: new Date() }),
    ).rejects.toMatchObject({
      code: 'validation',
    });
  });

  it('deleting a user removes their sessions, API keys and OAuth links; deleting twice is a no-op', async () => {
    const user = await h.adapter.createUser({ email: email('del') });
    const sub = randomUUID();
    await h.adapter.linkOAuthAccount(user.id, 'google', { provider: 'google', sub, linkedAt: new Date() });
    const session = await h.adapter.createSession({
      userId: user.id,
      entitlements: [],
      expiresAt: new Date(Date.now() + 60_000),
      updatedAt: new Date(),
    });
    const { key } = await h.adapter.createApiKeyWithSecret(user.id, []);
    await h.adapter.deleteUser(user.id);
    await h.adapter.deleteUser(user.id);
    expect(await h.adapter.getUser(user.id)).toBeNull();
    expect(await h.adapter.getSession(session.id)).toBeNull();
    expect(await h.adapter.verifyApiKeySecret(key)).toBeNull();
    expect(await h.adapter.getUserByOAuth('google', sub)).toBeNull();
    const again = await h.adapter.createUser({ email: user.email! });
    await h.adapter.linkOAuthAccount(again.id, 'google', { provider: 'google', sub, linkedAt: new Date() });
  });

  it('rejects bad input and writes nothing', async () => {
    const address = email('bad');
    const cases: unknown[] = [
      { email: address, name: 'a\u0000b' },
      { email: address, entitlements: [1] },
      { email: address, metadata: [] },
      { email: address, metadata: { when: new Date('x') } },
      { email: address, picture: 'x'.repeat(5000) },
      { email: address, constructor: 'admin' },
      { email: address, oauth: { google: { provider: 'google', sub: 'x', linkedAt: new Date() } } },
      { email: `${'x'.repeat(400)}@x.io` },
      { email: 42 },
      { email: address, name: '\ud800' },
    ];
    for (const input of cases) {
      await expect(h.adapter.createUser(input as never)).rejects.toMatchObject({ code: 'validation' });
    }
    expect(await h.adapter.getUserByEmail(address)).toBeNull();
    await expect(h.adapter.getUser('x'.repeat(300))).rejects.toMatchObject({ code: 'validation' });
    await expect(h.adapter.getUser(undefined as never)).rejects.toMatchObject({ code: 'validation' });
  });

  it('treats SQL-shaped values as plain data', async () => {
    const nasty = `'); drop table users; --`;
    const user = await h.adapter.createUser({ name: nasty, metadata: { [nasty]: nasty } });
    expect((await h.adapter.getUser(user.id))?.name).toBe(nasty);
    expect(await h.adapter.getUserByEmail(nasty)).toBeNull();
  });
});
