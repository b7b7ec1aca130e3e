import { expect, it } from 'vitest';
import { describePasskeyData, sql } from './backends.js';

/**
 * User ids the crate cannot load are refused when written through the facade. The rule is the crate's
 * `UserId::new` (oauth2_passkey/src/session/types.rs, the newest readable copy, 0.2 era: 1-255 bytes of
 * A-Z a-z 0-9 - _ . @ +, no "..", "--" or "__"); the Rust app runs it on every session it loads, so a user
 * stored under another id can never be logged in there.
 */
const refused = ['user:1', 'a__b', 'a..b', 'x--y', 'has space', 'ü-nicode'];
const accepted = ['0b6e9d4a-3c1f-4a8e-9f2b-7d5c1e3a9b80', 'ada@example.com', 'A.b_c-d+e', 'x'.repeat(255)];

describePasskeyData("oauth2-passkey ids the crate's UserId::new refuses", (h) => {
  it.each(refused)('upsertUser(%j) is a validation error naming the rule; nothing is written', async (id) => {
    const { data, raw } = h();
    const error = await data.upsertUser({ id, account: 'a', label: 'A' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'validation', details: { field: 'user.id' } });
    expect((error as Error).message).toContain('UserId::new');
    const rows = await raw(sql<{ n: number }>`select count(*) as n from o2p_users where id = ${id}`);
    expect(Number(rows[0]!.n)).toBe(0);
  });

  it('an id over 255 characters is a validation error too (the general id rule already says so)', async () => {
    await expect(
      h().data.upsertUser({ id: 'x'.repeat(256), account: 'a', label: 'A' }),
    ).rejects.toMatchObject({
      code: 'validation',
    });
  });

  it.each(accepted)('upsertUser(%j) is stored', async (id) => {
    const { data } = h();
    expect((await data.upsertUser({ id, account: 'a', label: 'A' })).id).toBe(id);
  });

  it("the crate's own demo placeholder id is still accepted (the crate never loads it as a UserId)", async () => {
    const { data } = h();
    expect((await data.upsertUser({ id: '__demo_placeholder__', account: 's', label: 'P' })).id).toBe(
      '__demo_placeholder__',
    );
  });

  it('OAuth2 accounts and passkeys for such ids are refused too', async () => {
    const { data } = h();
    const account = { provider: 'google', providerUserId: '1', name: 'n', email: 'e', metadata: {} };
    await expect(data.upsertOAuth2Account({ ...account, userId: 'user:1' })).rejects.toMatchObject({
      code: 'validation',
      details: { field: 'account.userId' },
    });
    const credential = {
      credentialId: 'c-ids',
      publicKey: 'pk',
      userHandle: 'h',
      userName: 'n',
      userDisplayName: 'N',
      aaguid: '00000000-0000-0000-0000-000000000000',
    };
    await expect(data.storeCredential({ ...credential, userId: 'a__b' })).rejects.toMatchObject({
      code: 'validation',
      details: { field: 'credential.userId' },
    });
  });
});
