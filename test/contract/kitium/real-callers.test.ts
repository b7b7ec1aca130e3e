import { randomUUID } from 'node:crypto';
import * as argon2 from 'argon2';
import { expect, it } from 'vitest';
import type {
  BackupCode,
  OIDCProviderRecord,
  RoleRecord,
  SAMLProviderRecord,
  SMSDevice,
  SSOLink,
  SSOSession,
  TOTPDevice,
  TwoFactorSession,
} from '../../../src/index.js';
import { databaseDump, describeKeyed } from './keyed-backends.js';

/**
 * The storage calls of the real @kitiumai/auth services, in their order and with their objects.
 * Source: kitium-ai/auth v4.0.1 (commit 6a8facb), src/twofa/service.ts (TwoFactorAuthService),
 * src/rbac/service.ts (RBACService), src/sso/service.ts (SSOService); behaviour compared with that
 * commit's src/adapters/memory.ts. The services themselves are not on the npm registry (nor are their
 * @kitiumai/* dependencies), so each step below repeats the service's storage call, not the service.
 */
describeKeyed('the real kitium services’ call sequences', (h) => {
  const nano = () => randomUUID().replaceAll('-', '').slice(0, 21);

  it('TOTP: enrollTOTPDevice → verifyTOTPEnrollment → verifyTwoFactor with a code, then a backup code → 2FA session', async () => {
    const userId = `user_${nano()}`;
    const base32 = `JBSWY3DPEHPK3PXP${nano().toUpperCase()}`;
    // enrollTOTPDevice: createTwoFactorDevice(device) with the service's own id and backupCodesUsed.
    const device: TOTPDevice = {
      id: `totp_${nano()}`,
      userId,
      method: 'totp',
      name: 'phone',
      verified: false,
      secret: base32,
      backupCodesUsed: [],
      createdAt: new Date(),
      metadata: { tempSecret: base32 },
    };
    const saved = (await h.adapter.createTwoFactorDevice(device)) as TOTPDevice;
    expect(saved).toMatchObject({ id: device.id, backupCodesUsed: [], secret: base32 });

    // verifyTOTPEnrollment: getDevice → (code checked against .secret) → update { verified } → backup codes.
    const enrolling = (await h.adapter.getTwoFactorDevice(device.id)) as TOTPDevice;
    expect(enrolling.userId === userId && enrolling.method === 'totp' && !enrolling.verified).toBe(true);
    expect(enrolling.secret).toBe(base32);
    await h.adapter.updateTwoFactorDevice(device.id, { verified: true });
    const plainCodes = ['AB12CD34', 'EF56GH78', 'IJ90KL12'];
    const codes: BackupCode[] = [];
    for (const code of plainCodes) {
      codes.push({
        id: `backup_${nano()}`,
        userId,
        code: await argon2.hash(code),
        used: false,
        createdAt: new Date(),
      });
    }
    expect(await h.adapter.createBackupCodes(userId, codes)).toEqual(codes);

    // verifyTwoFactor, a valid TOTP code: getDevice → update { lastUsedAt }.
    const verified = await h.adapter.getTwoFactorDevice(device.id);
    expect(verified?.verified).toBe(true);
    const usedAt = new Date();
    expect((await h.adapter.updateTwoFactorDevice(device.id, { lastUsedAt: usedAt })).lastUsedAt).toEqual(
      usedAt,
    );

    // verifyTwoFactor, an invalid TOTP code: verifyBackupCode → getBackupCodes → argon2.verify → markBackupCodeUsed.
    const stored = await h.adapter.getBackupCodes(userId);
    let matched: BackupCode | undefined;
    for (const candidate of stored) {
      if (!candidate.used && (await argon2.verify(candidate.code, 'EF56GH78'))) matched = candidate;
    }
    expect(matched?.id).toBe(codes[1]!.id);
    await h.adapter.markBackupCodeUsed(matched!.id);
    const after = await h.adapter.getBackupCodes(userId);
    expect(after.filter((c) => c.used).map((c) => c.id)).toEqual([matched!.id]);
    // Deliberate difference: memory.ts ignores a second markBackupCodeUsed; authkeep makes it a conflict
    // (single use). The service never repeats it: it skips codes already `used`.
    await expect(h.adapter.markBackupCodeUsed(matched!.id)).rejects.toMatchObject({ code: 'conflict' });

    // createTwoFactorSession(userId, sessionId, deviceId): getDevice → createTwoFactorSession(whole record).
    const session: TwoFactorSession = {
      id: `tfa_${nano()}`,
      userId,
      sessionId: `sess_${nano()}`,
      deviceId: device.id,
      method: verified!.method,
      attemptCount: 0,
      maxAttempts: 5,
      expiresAt: new Date(Date.now() + 10 * 60 * 1000),
      createdAt: new Date(),
    };
    // Difference: memory.ts replaces the id with its own; authkeep keeps the caller's (the service uses
    // the returned record either way).
    const created = await h.adapter.createTwoFactorSession(session);
    expect(created).toEqual(session);
    await h.adapter.completeTwoFactorSession(session.id);
    // Deliberate difference: memory.ts deletes a completed session (a get returns null, a second
    // completion is a no-op); authkeep keeps it with completedAt and a second completion is a conflict.
    expect((await h.adapter.getTwoFactorSession(session.id))?.completedAt).toBeInstanceOf(Date);
    await expect(h.adapter.completeTwoFactorSession(session.id)).rejects.toMatchObject({
      code: 'conflict',
    });

    // getTwoFactorStatus: listTwoFactorDevices + getBackupCodes.
    expect((await h.adapter.listTwoFactorDevices(userId)).map((d) => d.id)).toEqual([device.id]);
    // The TOTP secret is nowhere in clear: not in `secret`, not in metadata.tempSecret.
    expect(await databaseDump(h.adapter)).not.toContain(base32);
  });

  it('SMS: enrollSMSDevice → sendSMSCode → verifySMSCode → verifyTwoFactor, the live code sealed', async () => {
    const userId = `user_${nano()}`;
    const device: SMSDevice = {
      id: `sms_${nano()}`,
      userId,
      method: 'sms',
      name: undefined,
      phoneNumber: '+15551230000',
      verified: false,
      createdAt: new Date(),
    };
    expect((await h.adapter.createTwoFactorDevice(device)).id).toBe(device.id);

    // sendSMSCode: update { metadata: { verificationCode, verificationCodeExpiresAt: Date } }.
    const code = `${Math.floor(100000 + Math.random() * 900000)}`;
    const expiresAt = new Date(Date.now() + 5 * 60 * 1000);
    await h.adapter.updateTwoFactorDevice(device.id, {
      metadata: { verificationCode: code, verificationCodeExpiresAt: expiresAt },
    });
    const dumpMark = await databaseDump(h.adapter);
    expect(dumpMark).not.toContain(`"verificationCode":"${code}"`);

    // verifySMSCode: getDevice → compare metadata.verificationCode, check the expiry → clear with nulls.
    const sent = await h.adapter.getTwoFactorDevice(device.id);
    expect(sent?.metadata?.['verificationCode']).toBe(code);
    // Difference: a Date inside metadata comes back as its ISO string (metadata is JSON); the service
    // accepts `Date | string | number` there and builds a Date from it.
    const storedExpiry = sent?.metadata?.['verificationCodeExpiresAt'] as string;
    expect(new Date(storedExpiry)).toEqual(expiresAt);
    const cleared = await h.adapter.updateTwoFactorDevice(device.id, {
      verified: true,
      metadata: { verificationCode: null, verificationCodeExpiresAt: null },
    });
    expect(cleared.verified).toBe(true);
    expect(cleared.metadata).toEqual({ verificationCode: null, verificationCodeExpiresAt: null });

    // verifyTwoFactor (sms): getDevice → compare metadata.verificationCode → update { lastUsedAt }.
    const again = await h.adapter.getTwoFactorDevice(device.id);
    expect(again?.metadata?.['verificationCode']).toBeNull();
    await h.adapter.updateTwoFactorDevice(device.id, { lastUsedAt: new Date() });

    // disableTwoFactor: listDevices → deleteTwoFactorDevice for each.
    for (const d of await h.adapter.listTwoFactorDevices(userId)) await h.adapter.deleteTwoFactorDevice(d.id);
    expect(await h.adapter.listTwoFactorDevices(userId)).toEqual([]);
  });

  it('RBAC: createRole → assignRoleToUser → hasPermission / getUserPermissions → updateRole → deleteRole', async () => {
    const orgId = `org_${nano()}`;
    const userId = `user_${nano()}`;
    // createRole(orgId, name, permissions, description): a whole RoleRecord with the service's id.
    const now = new Date();
    const role: RoleRecord = {
      id: `role_${nano()}`,
      orgId,
      name: 'Editor',
      description: 'Edits documents',
      permissions: [
        { id: 'perm_e1', name: 'Read', resource: 'doc', action: 'read' },
        { id: 'perm_e2', name: 'Write', resource: 'doc', action: 'write' },
      ],
      isSystem: false,
      createdAt: now,
      updatedAt: now,
    };
    const created = await h.adapter.createRole(role);
    expect(created).toMatchObject({ id: role.id, orgId, name: 'Editor', permissions: role.permissions });

    // assignRoleToUser: getRole (orgId must match) → assignRoleToUser.
    expect((await h.adapter.getRole(role.id))?.orgId).toBe(orgId);
    expect((await h.adapter.assignRoleToUser(userId, role.id, orgId)).id).toBe(role.id);

    // hasPermission(userId, { resource, action, orgId }): getUserRoles(userId, orgId || '').
    const roles = await h.adapter.getUserRoles(userId, orgId);
    expect(
      roles.flatMap((r) => r.permissions).some((p) => p.resource === 'doc' && p.action === 'write'),
    ).toBe(true);
    // A check without orgId asks for the roles in org '': none, as in memory.ts.
    expect(await h.adapter.getUserRoles(userId, '')).toEqual([]);

    // updateRole: getRole (isSystem checked) → updateRole(id, { ...updates, updatedAt }).
    const renamed = await h.adapter.updateRole(role.id, { name: 'Writer', updatedAt: new Date(0) });
    expect(renamed.name).toBe('Writer');
    expect(renamed.updatedAt.getTime()).toBeGreaterThan(0);

    // createSystemRoles: three createRole calls (isSystem: false, as the service sets it).
    for (const name of ['Admin', 'Member', 'Viewer']) {
      const system: RoleRecord = { ...role, id: `role_${nano()}`, name };
      await h.adapter.createRole(system);
    }
    expect((await h.adapter.listRoles(orgId)).map((r) => r.name).sort()).toEqual([
      'Admin',
      'Member',
      'Viewer',
      'Writer',
    ]);
    // Deliberate difference: memory.ts lets updateRole change isSystem; authkeep fixes it at creation.
    await expect(h.adapter.updateRole(role.id, { isSystem: true })).rejects.toMatchObject({
      code: 'validation',
    });

    // revokeRoleFromUser, then deleteRole (getRole first, as the service does).
    await h.adapter.revokeRoleFromUser(userId, role.id, orgId);
    expect(await h.adapter.getUserRoles(userId, orgId)).toEqual([]);
    await h.adapter.deleteRole(role.id);
    expect(await h.adapter.getRole(role.id)).toBeNull();
  });

  it('SSO: registerOIDCProvider → linkSSOProvider → getSSOLinkByProviderSubject → createSSOSession → getSSOSession', async () => {
    const userId = `user_${nano()}`;
    const orgId = `org_${nano()}`;
    const now = new Date();
    // registerOIDCProvider: createSSOProvider({ ...provider, id: `oidc_…`, createdAt, updatedAt }).
    const oidc = (await h.adapter.createSSOProvider({
      id: `oidc_${nano()}`,
      type: 'oidc',
      name: 'Okta',
      orgId,
      metadata_url: 'https://idp.example/.well-known/openid-configuration',
      client_id: 'client',
      client_secret: `client-secret-${nano()}`,
      redirect_uris: ['https://app.example/callback'],
      scopes: ['openid', 'profile', 'email'],
      createdAt: now,
      updatedAt: now,
    })) as OIDCProviderRecord;
    expect(oidc.id).toMatch(/^oidc_/);

    // linkSSOProvider: getProvider → createSSOLink({ id: `sso_link_…`, …, linkedAt, lastAuthAt }).
    const provider = (await h.adapter.getSSOProvider(oidc.id)) as OIDCProviderRecord;
    const link: SSOLink = {
      id: `sso_link_${nano()}`,
      userId,
      providerId: oidc.id,
      providerType: provider.type,
      providerSubject: `sub-${nano()}`,
      providerEmail: 'someone@example.com',
      autoProvisioned: false,
      linkedAt: now,
      lastAuthAt: now,
    };
    const savedLink = await h.adapter.createSSOLink(link);
    expect(savedLink).toMatchObject({ id: link.id, providerSubject: link.providerSubject });
    // getSSOLinkByProviderSubject lists the links of user '': none (memory.ts answers the same).
    expect(await h.adapter.getUserSSOLinks('')).toEqual([]);
    expect((await h.adapter.getUserSSOLinks(userId)).map((l) => l.id)).toEqual([link.id]);

    // createSSOSession: getProvider → createSSOSession({ id: `sso_session_…`, … }) → getSSOSession.
    const session: SSOSession = {
      id: `sso_session_${nano()}`,
      userId,
      providerId: oidc.id,
      providerType: provider.type,
      providerSubject: link.providerSubject,
      expiresAt: new Date(now.getTime() + 24 * 60 * 60 * 1000),
      linkedAt: now,
      lastAuthAt: now,
    };
    expect((await h.adapter.createSSOSession(session)).id).toBe(session.id);
    expect((await h.adapter.getSSOSession(session.id))?.providerSubject).toBe(link.providerSubject);

    // registerSAMLProvider and listProviders(orgId).
    const saml = (await h.adapter.createSSOProvider({
      id: `saml_${nano()}`,
      type: 'saml',
      name: 'ADFS',
      orgId,
      idp_entity_id: 'https://adfs.example',
      idp_sso_url: 'https://adfs.example/sso',
      sp_entity_id: 'https://app.example',
      sp_acs_url: 'https://app.example/acs',
      signing_key: `signing-key-${nano()}`,
      createdAt: now,
      updatedAt: now,
    })) as SAMLProviderRecord;
    expect((await h.adapter.listSSOProviders(orgId)).map((p) => p.id).sort()).toEqual(
      [oidc.id, saml.id].sort(),
    );
    // updateProvider: updateSSOProvider(id, { ...updates, updatedAt }).
    expect(
      ((await h.adapter.updateSSOProvider(oidc.id, { name: 'Okta 2', updatedAt: now })) as OIDCProviderRecord)
        .name,
    ).toBe('Okta 2');

    // deleteProvider, then deleteSSOLink. Deliberate difference: authkeep deletes a provider's links and
    // sessions with it (memory.ts leaves them pointing at nothing).
    await h.adapter.deleteSSOProvider(oidc.id);
    expect(await h.adapter.getSSOLink(link.id)).toBeNull();
    expect(await h.adapter.getSSOSession(session.id)).toBeNull();
    await h.adapter.deleteSSOLink(link.id);
  });
});
