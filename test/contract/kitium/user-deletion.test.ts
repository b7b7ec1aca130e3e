import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import { describeKeyed } from './keyed-backends.js';

describeKeyed('deleting a user removes their two-factor, SSO and role data', (h) => {
  it('removes devices, backup codes, two-factor sessions, SSO links and sessions and role assignments; leaves others’', async () => {
    const seed = async () => {
      const user = await h.adapter.createUser({ email: `del-${randomUUID()}@example.com` });
      const device = await h.adapter.createTwoFactorDevice({
        userId: user.id,
        method: 'totp',
        verified: true,
        secret: 's',
      });
      const [code] = await h.adapter.createBackupCodes(user.id, [
        { id: randomUUID(), userId: user.id, code: 'h', used: false, createdAt: new Date() },
      ]);
      const twoFactorSession = await h.adapter.createTwoFactorSession({
        id: randomUUID(),
        userId: user.id,
        sessionId: 'bearer',
        deviceId: device.id,
        method: 'totp',
        attemptCount: 0,
        maxAttempts: 3,
        expiresAt: new Date(),
        createdAt: new Date(),
      });
      const link = await h.adapter.createSSOLink({
        userId: user.id,
        providerId: 'p',
        providerType: 'oidc',
        providerSubject: user.id,
        lastAuthAt: new Date(),
      });
      const ssoSession = await h.adapter.createSSOSession({
        userId: user.id,
        providerId: 'p',
        providerType: 'oidc',
        providerSubject: user.id,
        sessionToken: 't',
        expiresAt: new Date(),
        lastAuthAt: new Date(),
      });
      const role = await h.adapter.createRole({ orgId: 'org', name: 'r', permissions: [], isSystem: false });
      await h.adapter.assignRoleToUser(user.id, role.id, 'org');
      return { user, device, code: code!, twoFactorSession, link, ssoSession, role };
    };
    const doomed = await seed();
    const kept = await seed();
    await h.adapter.deleteUser(doomed.user.id);

    expect(await h.adapter.getTwoFactorDevice(doomed.device.id)).toBeNull();
    expect(await h.adapter.listTwoFactorDevices(doomed.user.id)).toEqual([]);
    expect(await h.adapter.getBackupCodes(doomed.user.id)).toEqual([]);
    expect(await h.adapter.getTwoFactorSession(doomed.twoFactorSession.id)).toBeNull();
    expect(await h.adapter.getSSOLink(doomed.link.id)).toBeNull();
    expect(await h.adapter.getUserSSOLinks(doomed.user.id)).toEqual([]);
    expect(await h.adapter.getSSOSession(doomed.ssoSession.id)).toBeNull();
    expect(await h.adapter.getUserRoles(doomed.user.id, 'org')).toEqual([]);
    // The role itself belongs to the organisation and stays.
    expect(await h.adapter.getRole(doomed.role.id)).toEqual(doomed.role);

    expect(await h.adapter.getTwoFactorDevice(kept.device.id)).toEqual(kept.device);
    expect(await h.adapter.getBackupCodes(kept.user.id)).toEqual([kept.code]);
    expect(await h.adapter.getTwoFactorSession(kept.twoFactorSession.id)).toEqual(kept.twoFactorSession);
    expect(await h.adapter.getUserSSOLinks(kept.user.id)).toEqual([kept.link]);
    expect(await h.adapter.getSSOSession(kept.ssoSession.id)).toEqual(kept.ssoSession);
    expect(await h.adapter.getUserRoles(kept.user.id, 'org')).toEqual([kept.role]);
  });
});
