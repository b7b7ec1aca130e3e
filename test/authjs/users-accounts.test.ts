import { expect, it } from 'vitest';
import { describeAuthjs } from './support/backends.js';
import { createUser, newAccount, newUser } from './support/records.js';

// Written from @auth/core 0.41.3 adapters.d.ts (the Adapter interface and its doc comments).
describeAuthjs('Auth.js Adapter: users and accounts', (h) => {
  it('createUser returns the stored user with an id of its own; getUser and getUserByEmail find it', async () => {
    const proposed = newUser({ emailVerified: new Date('2026-01-02T03:04:05.678Z') });
    const user = await h.adapter.createUser(proposed);
    expect(user).toEqual({ ...proposed, id: user.id });
    expect(typeof user.id).toBe('string');
    expect(user.emailVerified).toBeInstanceOf(Date);
    expect(await h.adapter.getUser(user.id)).toEqual(user);
    expect(await h.adapter.getUserByEmail(proposed.email)).toEqual(user);
  });

  it('ids are the layout own: SERIAL numbers on the @auth/pg-adapter layout, UUIDs on the Kysely one', async () => {
    const user = await createUser(h.adapter);
    if (h.variant.tables === 'pg-adapter') expect(user.id).toMatch(/^[1-9][0-9]*$/);
    else expect(user.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('unknown users are null, also for ids the layout cannot hold', async () => {
    for (const id of ['999999', '00000000-0000-7000-8000-000000000000', 'not-an-id', "1' or '1'='1"]) {
      expect(await h.adapter.getUser(id)).toBeNull();
    }
    expect(await h.adapter.getUserByEmail('nobody@example.com')).toBeNull();
  });

  it('a second user with the same email is a conflict', async () => {
    const user = await createUser(h.adapter);
    await expect(h.adapter.createUser(newUser({ email: user.email }))).rejects.toMatchObject({
      code: 'conflict',
    });
  });

  it('updateUser changes only the fields given and returns the whole user', async () => {
    const user = await createUser(h.adapter);
    const verified = new Date('2026-03-04T05:06:07.089Z');
    const updated = await h.adapter.updateUser({ id: user.id, name: 'Grace', emailVerified: verified });
    expect(updated).toEqual({ ...user, name: 'Grace', emailVerified: verified });
    expect(await h.adapter.getUser(user.id)).toEqual(updated);
    const cleared = await h.adapter.updateUser({ id: user.id, image: null });
    expect(cleared).toEqual({ ...updated, image: null });
  });

  it('updateUser of a missing user is not_found', async () => {
    await expect(h.adapter.updateUser({ id: '424242', name: 'x' })).rejects.toMatchObject({
      code: 'not_found',
    });
  });

  it('linkAccount: getUserByAccount finds the user, getAccount returns every token field', async () => {
    const user = await createUser(h.adapter);
    const account = newAccount(user.id);
    expect(await h.adapter.linkAccount(account)).toEqual(account);
    const key = { provider: account.provider, providerAccountId: account.providerAccountId };
    expect(await h.adapter.getUserByAccount(key)).toEqual(user);
    expect(await h.adapter.getAccount(account.providerAccountId, account.provider)).toEqual(account);
    expect(await h.adapter.getUserByAccount({ ...key, provider: 'gitlab' })).toBeNull();
    expect(await h.adapter.getAccount(account.providerAccountId, 'gitlab')).toBeNull();
  });

  it('an account without tokens (email, webauthn) is returned without them', async () => {
    const user = await createUser(h.adapter);
    const account = {
      userId: user.id,
      type: 'email' as const,
      provider: 'email',
      providerAccountId: user.email,
    };
    await h.adapter.linkAccount(account);
    expect(await h.adapter.getAccount(user.email, 'email')).toEqual(account);
  });

  it('the same provider account cannot be linked twice', async () => {
    const user = await createUser(h.adapter);
    const account = newAccount(user.id);
    await h.adapter.linkAccount(account);
    await expect(h.adapter.linkAccount(newAccount(user.id, account))).rejects.toMatchObject({
      code: 'conflict',
    });
  });

  it('unlinkAccount returns the account and removes it; a second unlink returns undefined', async () => {
    const user = await createUser(h.adapter);
    const account = newAccount(user.id);
    await h.adapter.linkAccount(account);
    const key = { provider: account.provider, providerAccountId: account.providerAccountId };
    expect(await h.adapter.unlinkAccount(key)).toEqual(account);
    expect(await h.adapter.getUserByAccount(key)).toBeNull();
    expect(await h.adapter.getAccount(account.providerAccountId, account.provider)).toBeNull();
    expect(await h.adapter.unlinkAccount(key)).toBeUndefined();
    expect(await h.adapter.getUser(user.id)).toEqual(user);
  });

  it('deleteUser returns the user and removes its sessions, accounts and authenticators', async () => {
    const user = await createUser(h.adapter);
    const account = newAccount(user.id);
    await h.adapter.linkAccount(account);
    const sessionToken = crypto.randomUUID();
    await h.adapter.createSession({ sessionToken, userId: user.id, expires: new Date(Date.now() + 3.6e6) });
    await h.adapter.createAuthenticator({
      credentialID: crypto.randomUUID(),
      userId: user.id,
      providerAccountId: account.providerAccountId,
      credentialPublicKey: 'pk',
      counter: 0,
      credentialDeviceType: 'singleDevice',
      credentialBackedUp: false,
      transports: null,
    });
    expect(await h.adapter.getSessionAndUser(sessionToken)).not.toBeNull();
    expect(await h.adapter.deleteUser(user.id)).toEqual(user);
    expect(await h.adapter.getUser(user.id)).toBeNull();
    expect(await h.adapter.getSessionAndUser(sessionToken)).toBeNull();
    expect(await h.adapter.getAccount(account.providerAccountId, account.provider)).toBeNull();
    expect(await h.adapter.listAuthenticatorsByUserId(user.id)).toEqual([]);
    expect(await h.adapter.deleteUser(user.id)).toBeNull();
  });

  it('bad input is a validation error, before the database', async () => {
    await expect(h.adapter.getUser('')).rejects.toMatchObject({ code: 'validation' });
    await expect(h.adapter.linkAccount({ ...newAccount('1'), provider: '' })).rejects.toMatchObject({
      code: 'validation',
    });
    await expect(h.adapter.linkAccount({ ...newAccount('1'), expires_at: 1.5 })).rejects.toMatchObject({
      code: 'validation',
    });
  });
});
