import { randomBytes } from 'node:crypto';
import { expect, it } from 'vitest';
import { defaultTableNames } from '../../../src/adapters/kysely/passkey/index.js';
import { describePasskeyData } from './backends.js';

// Real concurrent calls: on PostgreSQL they run on a pool of 20 connections; SQLite serialises them.
describePasskeyData('oauth2-passkey under concurrent calls', (h) => {
  async function fresh() {
    const data = h().reopen({ tables: defaultTableNames(`r${randomBytes(4).toString('hex')}_`) });
    await data.init();
    return data;
  }

  it('concurrent assertions never lower the counter; every refusal saw a counter at least as high', async () => {
    const { data } = h();
    const user = await data.upsertUser({ account: 'counter', label: 'C' });
    await data.storeCredential({
      credentialId: 'race-counter',
      userId: user.id,
      publicKey: 'p',
      userHandle: 'h',
      userName: 'n',
      userDisplayName: 'd',
      aaguid: 'a',
    });
    const values = Array.from({ length: 40 }, (_, i) => i + 1).sort(() => Math.random() - 0.5);
    const results = await Promise.all(values.map((value) => data.updateCounter('race-counter', value)));
    expect((await data.getCredential('race-counter'))?.counter).toBe(40);
    expect(results.find((r) => r.counter === 40)?.status).toBe('updated');
    for (const result of results) {
      expect(['updated', 'clone_suspected']).toContain(result.status);
      if (result.status === 'clone_suspected')
        expect(result.storedCounter).toBeGreaterThanOrEqual(result.counter);
    }
  });

  it('concurrent first logins with one provider identity all succeed and leave exactly one link', async () => {
    const { data } = h();
    const user = await data.upsertUser({ account: 'race-login', label: 'R' });
    const results = await Promise.allSettled(
      Array.from({ length: 30 }, (_, i) =>
        data.upsertOAuth2Account({
          id: `race-id-${i}`,
          userId: user.id,
          provider: 'google',
          providerUserId: 'race-sub',
          name: `n${i}`,
          email: 'r@x.io',
        }),
      ),
    );
    const rejected = results.filter((r) => r.status === 'rejected');
    expect(rejected).toEqual([]);
    const links = await data.getOAuth2AccountsBy({ providerUserId: 'race-sub' });
    expect(links).toHaveLength(1);
    const ids = new Set(results.map((r) => (r as PromiseFulfilledResult<{ id: string }>).value.id));
    expect([...ids]).toEqual([links[0]!.id]);
  });

  // The crate's single-statement guard counts admins in each statement's snapshot: on PostgreSQL two of them
  // running at once both see two admins and both go through. These rounds would catch that.
  for (const kinds of [
    ['demote', 'demote'],
    ['delete', 'delete'],
    ['demote', 'delete'],
  ] as const) {
    it(`concurrent ${kinds.join(' + ')} of the last two admins: exactly one succeeds, one admin remains`, async () => {
      for (let round = 0; round < 8; round++) {
        // Demo mode puts an admin placeholder at sequence 1 (which is never demoted); it goes first, so the
        // race is between two plain flagged admins.
        const data = h().reopen({
          tables: defaultTableNames(`q${randomBytes(4).toString('hex')}_`),
          demoMode: true,
        });
        await data.init();
        const a = await data.upsertUser({ account: 'a', label: 'A', isAdmin: true });
        const b = await data.upsertUser({ account: 'b', label: 'B', isAdmin: true });
        expect(await data.deleteUserIfNotLastAdmin('__demo_placeholder__')).toBe(true);
        const act = (kind: 'demote' | 'delete', id: string) =>
          kind === 'demote' ? data.demoteUserIfNotLastAdmin(id) : data.deleteUserIfNotLastAdmin(id);
        const outcomes = await Promise.all([act(kinds[0], a.id), act(kinds[1], b.id)]);
        expect(outcomes.filter(Boolean)).toHaveLength(1);
        expect((await data.getAllUsers()).filter((user) => user.isAdmin)).toHaveLength(1);
      }
    });
  }

  it('concurrent first sign-ups: exactly one user has sequence number 1, and it is the only admin', async () => {
    const data = await fresh();
    const users = await Promise.all(
      Array.from({ length: 20 }, (_, i) => data.upsertUser({ account: `u${i}`, label: `U${i}` })),
    );
    expect(users.filter((u) => u.sequenceNumber === 1)).toHaveLength(1);
    expect(users.filter((u) => u.isAdmin).map((u) => u.sequenceNumber)).toEqual([1]);
  });
});
