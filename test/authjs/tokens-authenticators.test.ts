import { randomUUID } from 'node:crypto';
import type { AdapterAuthenticator } from '@auth/core/adapters';
import { expect, it } from 'vitest';
import { describeAuthjs } from './support/backends.js';
import { createUser, inHours } from './support/records.js';

// Written from @auth/core 0.41.3 adapters.d.ts (VerificationToken, AdapterAuthenticator and their methods).
describeAuthjs('Auth.js Adapter: verification tokens and authenticators', (h) => {
  it('createVerificationToken returns the token; useVerificationToken returns it once, then null', async () => {
    const token = { identifier: `${randomUUID()}@example.com`, token: randomUUID(), expires: inHours(1) };
    expect(await h.adapter.createVerificationToken(token)).toEqual(token);
    expect(
      await h.adapter.useVerificationToken({ identifier: 'someone@else', token: token.token }),
    ).toBeNull();
    expect(await h.adapter.useVerificationToken(token)).toEqual(token);
    expect(await h.adapter.useVerificationToken(token)).toBeNull();
  });

  it('of concurrent uses of one token exactly one succeeds', async () => {
    const token = { identifier: `${randomUUID()}@example.com`, token: randomUUID(), expires: inHours(1) };
    await h.adapter.createVerificationToken(token);
    const uses = await Promise.all(Array.from({ length: 8 }, () => h.adapter.useVerificationToken(token)));
    expect(uses.filter((use) => use !== null)).toEqual([token]);
  });

  it('one identifier may hold several tokens; each is used on its own', async () => {
    const identifier = `${randomUUID()}@example.com`;
    const first = { identifier, token: randomUUID(), expires: inHours(1) };
    const second = { identifier, token: randomUUID(), expires: inHours(2) };
    await h.adapter.createVerificationToken(first);
    await h.adapter.createVerificationToken(second);
    expect(await h.adapter.useVerificationToken(second)).toEqual(second);
    expect(await h.adapter.useVerificationToken(first)).toEqual(first);
  });

  async function newAuthenticator(userId: string, overrides: Partial<AdapterAuthenticator> = {}) {
    const authenticator: AdapterAuthenticator = {
      credentialID: randomUUID(),
      userId,
      providerAccountId: randomUUID(),
      credentialPublicKey: 'pQECAyYgASFYIPqs-public-key',
      counter: 0,
      credentialDeviceType: 'multiDevice',
      credentialBackedUp: true,
      transports: 'internal,hybrid',
      ...overrides,
    };
    expect(await h.adapter.createAuthenticator(authenticator)).toEqual(authenticator);
    return authenticator;
  }

  it('createAuthenticator, getAuthenticator and listAuthenticatorsByUserId return every field', async () => {
    const user = await createUser(h.adapter);
    const first = await newAuthenticator(user.id);
    const second = await newAuthenticator(user.id, {
      credentialBackedUp: false,
      credentialDeviceType: 'singleDevice',
      transports: null,
      counter: 7,
    });
    expect(await h.adapter.getAuthenticator(first.credentialID)).toEqual(first);
    const listed = await h.adapter.listAuthenticatorsByUserId(user.id);
    expect(listed).toHaveLength(2);
    expect(listed).toEqual(expect.arrayContaining([first, second]));
    const other = await createUser(h.adapter);
    expect(await h.adapter.listAuthenticatorsByUserId(other.id)).toEqual([]);
    expect(await h.adapter.getAuthenticator(randomUUID())).toBeNull();
  });

  it('updateAuthenticatorCounter stores the new counter (up to 2^32 - 1) and returns the authenticator', async () => {
    const user = await createUser(h.adapter);
    const authenticator = await newAuthenticator(user.id);
    const updated = await h.adapter.updateAuthenticatorCounter(authenticator.credentialID, 41);
    expect(updated).toEqual({ ...authenticator, counter: 41 });
    const top = await h.adapter.updateAuthenticatorCounter(authenticator.credentialID, 0xffff_ffff);
    expect(top.counter).toBe(0xffff_ffff);
    expect(await h.adapter.getAuthenticator(authenticator.credentialID)).toEqual(top);
  });

  it('updateAuthenticatorCounter of an unknown credential is not_found; a bad counter is validation', async () => {
    await expect(h.adapter.updateAuthenticatorCounter(randomUUID(), 1)).rejects.toMatchObject({
      code: 'not_found',
    });
    await expect(h.adapter.updateAuthenticatorCounter(randomUUID(), -1)).rejects.toMatchObject({
      code: 'validation',
    });
  });

  it('a credential id is registered once', async () => {
    const user = await createUser(h.adapter);
    const authenticator = await newAuthenticator(user.id);
    await expect(h.adapter.createAuthenticator({ ...authenticator })).rejects.toMatchObject({
      code: 'conflict',
    });
  });
});
