import { describe, expect, it } from 'vitest';
import { migrateBetterAuth } from '../../../src/app/better-auth/index.js';
import { flowBackends } from '../support/flow-backends.js';
import { clientOf, flowOptions, makeAuth, password, signIn, signUp } from '../support/auth-flows.js';

/** Real betterAuth() (1.7.25) with twoFactor and organization, end to end on authkeepAdapter. */
const backends = flowBackends('flows');

for (const backend of backends) {
  describe.skipIf(!backend.available)(`better-auth flows on authkeepAdapter (${backend.name})`, () => {
    async function setUp() {
      const adapter = await backend.adapter();
      await migrateBetterAuth({ database: adapter.store, options: flowOptions(adapter) });
      return makeAuth(adapter);
    }

    it('signs up, signs in, reads, lists and revokes sessions', async () => {
      const auth = await setUp();
      const first = await signUp(auth, 'flow@example.com');
      const read = await auth.api.getSession({ headers: first.client });
      expect(read?.user.email).toBe('flow@example.com');
      expect(read?.session.token).toBe(first.token);
      const second = await signIn(auth, 'flow@example.com');
      const third = await signIn(auth, 'flow@example.com');
      const listed = await auth.api.listSessions({ headers: first.client });
      expect(listed.map((s) => s.token).sort()).toEqual(
        [first.token, second.response.token, third.response.token].sort(),
      );
      await auth.api.revokeSession({ headers: first.client, body: { token: second.response.token } });
      expect(await auth.api.getSession({ headers: second.client })).toBeNull();
      expect(await auth.api.getSession({ headers: third.client })).not.toBeNull();
      await auth.api.revokeOtherSessions({ headers: first.client });
      expect(await auth.api.getSession({ headers: third.client })).toBeNull();
      expect((await auth.api.getSession({ headers: first.client }))?.session.token).toBe(first.token);
      await auth.api.signOut({ headers: first.client });
      expect(await auth.api.getSession({ headers: first.client })).toBeNull();
    });

    it('a wrong password is refused and a changed name is read back at once', async () => {
      const auth = await setUp();
      const { client } = await signUp(auth, 'name@example.com');
      await expect(
        auth.api.signInEmail({ body: { email: 'name@example.com', password: 'not the password' } }),
      ).rejects.toThrow();
      await auth.api.updateUser({ headers: client, body: { name: 'Renamed', nickname: 'nick' } });
      const read = await auth.api.getSession({ headers: client });
      expect(read?.user).toMatchObject({ name: 'Renamed', nickname: 'nick' });
    });

    it('two-factor: enabled, then a sign-in needs the second factor (a backup code)', async () => {
      const auth = await setUp();
      const { client } = await signUp(auth, 'otp@example.com');
      const enabling = await auth.api.enableTwoFactor({ headers: client, body: { password } });
      if (enabling.method !== 'totp') throw new Error(`expected TOTP enrolment, got ${enabling.method}`);
      const enabled = enabling;
      expect(enabled.backupCodes.length).toBeGreaterThan(0);
      const { headers, response } = await auth.api.signInEmail({
        body: { email: 'otp@example.com', password },
        returnHeaders: true,
      });
      expect(response).toMatchObject({ twoFactorRedirect: true });
      const pending = clientOf(headers);
      const verified = await auth.api.verifyBackupCode({
        headers: pending,
        body: { code: enabled.backupCodes[0]! },
        returnHeaders: true,
      });
      const session = await auth.api.getSession({ headers: clientOf(verified.headers) });
      expect(session?.user.email).toBe('otp@example.com');
      // A backup code is single-use.
      const again = await auth.api.signInEmail({
        body: { email: 'otp@example.com', password },
        returnHeaders: true,
      });
      await expect(
        auth.api.verifyBackupCode({
          headers: clientOf(again.headers),
          body: { code: enabled.backupCodes[0]! },
        }),
      ).rejects.toThrow();
    });

    it('organization: create, list, add a member and read the full organization', async () => {
      const auth = await setUp();
      const owner = await signUp(auth, 'owner@example.com');
      const member = await signUp(auth, 'member@example.com');
      const created = await auth.api.createOrganization({
        headers: owner.client,
        body: { name: 'Acme', slug: 'acme' },
      });
      expect(created?.slug).toBe('acme');
      const listed = await auth.api.listOrganizations({ headers: owner.client });
      expect(listed.map((o) => o.slug)).toEqual(['acme']);
      await auth.api.addMember({
        body: { userId: member.userId, organizationId: created!.id, role: 'member' },
      });
      const full = await auth.api.getFullOrganization({
        headers: owner.client,
        query: { organizationId: created!.id },
      });
      expect(full?.members.map((m) => m.user.email).sort()).toEqual([
        'member@example.com',
        'owner@example.com',
      ]);
    });
  });
}
