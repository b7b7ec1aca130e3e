import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import type { RoleRecord, SMSDevice, TOTPDevice } from '../../../src/index.js';
import { databaseDump, describeKeyed } from './keyed-backends.js';

/**
 * The shapes the real callers send (issue 12; @kitiumai/auth 4.0.1, kitium-ai/auth@6a8facb
 * src/twofa/service.ts, src/rbac/service.ts, src/sso/service.ts) and what upstream's own
 * src/adapters/memory.ts does with them: the subtype and extra fields are kept and returned, the
 * caller's ids are kept, an empty id finds nothing.
 */
describeKeyed('the shapes real callers send', (h) => {
  const mark = () => randomUUID().replaceAll('-', '');

  it('a TOTPDevice (backupCodesUsed, metadata.tempSecret) round-trips with the caller’s id', async () => {
    const m = mark();
    const device: TOTPDevice = {
      id: `totp_${m}`,
      userId: `user-${m}`,
      method: 'totp',
      verified: false,
      secret: `SECRET${m}`,
      backupCodesUsed: [],
      createdAt: new Date(0),
      metadata: { tempSecret: `SECRET${m}` },
    };
    const saved = await h.adapter.createTwoFactorDevice(device);
    expect(saved).toMatchObject({ ...device, createdAt: expect.any(Date) });
    expect(saved.createdAt.getTime()).toBeGreaterThan(0);
    expect(await h.adapter.getTwoFactorDevice(device.id)).toEqual(saved);
    const used = await h.adapter.updateTwoFactorDevice(device.id, {
      backupCodesUsed: ['backup_1'],
    } as Partial<TOTPDevice>);
    expect((used as TOTPDevice).backupCodesUsed).toEqual(['backup_1']);
    await expect(h.adapter.createTwoFactorDevice(device)).rejects.toMatchObject({ code: 'conflict' });
  });

  it('an SMSDevice’s verificationCode and verificationCodeExpiresAt (a Date) round-trip, the code sealed', async () => {
    const m = mark();
    const code = mark();
    const expiresAt = new Date('2031-01-02T03:04:05.678Z');
    const device: SMSDevice = {
      id: `sms_${m}`,
      userId: `user-${m}`,
      method: 'sms',
      phoneNumber: '+15550001111',
      verified: false,
      verificationCode: `first${code}`,
      verificationCodeExpiresAt: expiresAt,
      createdAt: new Date(),
    };
    const saved = (await h.adapter.createTwoFactorDevice(device)) as SMSDevice;
    expect(saved.verificationCode).toBe(`first${code}`);
    expect(saved.verificationCodeExpiresAt).toEqual(expiresAt);
    expect(await h.adapter.getTwoFactorDevice(device.id)).toEqual(saved);
    const cleared = await h.adapter.updateTwoFactorDevice(device.id, {
      verificationCode: undefined,
      verificationCodeExpiresAt: undefined,
    } as Partial<SMSDevice>);
    expect(cleared).not.toHaveProperty('verificationCode');
    expect(cleared).not.toHaveProperty('verificationCodeExpiresAt');
    await h.adapter.updateTwoFactorDevice(device.id, {
      verificationCode: `again${code}`,
    } as Partial<SMSDevice>);
    expect(await databaseDump(h.adapter)).not.toContain(code);
  });

  it('keeps a consumer’s extra fields on every two-factor, RBAC and SSO record, Dates as Dates', async () => {
    const m = mark();
    const userId = `user-${m}`;
    const at = new Date('2030-06-07T08:09:10.111Z');
    const extra = { tenant: 'acme', seenAt: at, tags: ['a', 'b'], nested: { n: 1, ok: true, none: null } };
    const device = await h.adapter.createTwoFactorDevice({
      userId,
      method: 'totp',
      verified: true,
      ...extra,
    });
    expect(device).toMatchObject(extra);
    expect(await h.adapter.getTwoFactorDevice(device.id)).toEqual(device);

    // RBACService.createRole passes a whole RoleRecord, its id included.
    const input: RoleRecord = {
      id: `role_${m}`,
      orgId: `org-${m}`,
      name: 'Reader',
      permissions: [{ id: 'perm_1', name: 'Read', resource: 'doc', action: 'read', scope: 'own' } as never],
      isSystem: false,
      createdAt: new Date(),
      updatedAt: new Date(),
      ...extra,
    };
    const role = await h.adapter.createRole(input);
    expect(role).toMatchObject({ id: `role_${m}`, ...extra });
    expect(role.permissions[0]).toMatchObject({ scope: 'own' });
    expect(await h.adapter.getRole(role.id)).toEqual(role);

    const link = await h.adapter.createSSOLink({
      id: `sso_link_${m}`,
      userId,
      providerId: 'oidc_p',
      providerType: 'oidc',
      providerSubject: `sub-${m}`,
      ...extra,
    } as never);
    expect(link).toMatchObject({ id: `sso_link_${m}`, ...extra });
    expect(await h.adapter.getSSOLink(link.id)).toEqual(link);

    const session = await h.adapter.createSSOSession({
      id: `sso_session_${m}`,
      userId,
      providerId: 'oidc_p',
      providerType: 'oidc',
      providerSubject: `sub-${m}`,
      expiresAt: new Date(Date.now() + 60_000),
      ...extra,
    } as never);
    expect(session).toMatchObject({ id: `sso_session_${m}`, ...extra });
    expect(await h.adapter.getSSOSession(session.id)).toEqual(session);

    const tfa = await h.adapter.createTwoFactorSession({
      id: `tfa_${m}`,
      userId,
      sessionId: `s-${m}`,
      deviceId: device.id,
      method: 'totp',
      attemptCount: 0,
      maxAttempts: 5,
      expiresAt: new Date(Date.now() + 60_000),
      createdAt: new Date(),
      ...extra,
    });
    expect(await h.adapter.getTwoFactorSession(tfa.id)).toMatchObject(extra);

    const [code] = await h.adapter.createBackupCodes(userId, [
      { id: `backup_${m}`, userId, code: 'hash', used: false, createdAt: new Date(), ...extra },
    ]);
    expect(code).toMatchObject(extra);
    expect(await h.adapter.getBackupCodes(userId)).toEqual([code]);
  });

  it('merges extra fields on update per field, as a spread would: a value sets one, undefined removes it', async () => {
    const m = mark();
    const device = await h.adapter.createTwoFactorDevice({
      userId: `user-${m}`,
      method: 'totp',
      verified: false,
      keep: 1,
      drop: 2,
    } as never);
    const updated = await h.adapter.updateTwoFactorDevice(device.id, {
      verified: true,
      drop: undefined,
      added: 'x',
    } as never);
    expect(updated).toMatchObject({ verified: true, keep: 1, added: 'x' });
    expect(updated).not.toHaveProperty('drop');
    // Passing the whole record back changes nothing it holds.
    const again = await h.adapter.updateTwoFactorDevice(device.id, { ...updated });
    expect(again).toEqual({ ...updated, updatedAt: again.updatedAt });

    const role = await h.adapter.createRole({
      orgId: `org-${m}`,
      name: 'r',
      permissions: [],
      isSystem: false,
      a: 1,
    } as never);
    const renamed = await h.adapter.updateRole(role.id, { name: 's', b: 2 } as never);
    expect(renamed).toMatchObject({ name: 's', a: 1, b: 2 });
    expect(await h.adapter.getRole(role.id)).toEqual(renamed);
  });

  it('concurrent updates of different extra fields of one device lose none of them', async () => {
    const device = await h.adapter.createTwoFactorDevice({
      userId: `user-${mark()}`,
      method: 'sms',
      verified: false,
    });
    await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        h.adapter.updateTwoFactorDevice(device.id, { [`field${i}`]: i } as never),
      ),
    );
    const stored = (await h.adapter.getTwoFactorDevice(device.id)) as unknown as Record<string, unknown>;
    for (let i = 0; i < 12; i++) expect(stored[`field${i}`]).toBe(i);
  });

  it('refuses extra fields that are unsafe: prototype keys, functions, cycles, oversized values', async () => {
    const userId = `user-${mark()}`;
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    for (const bad of [
      JSON.parse('{"__proto__": {"admin": true}}'),
      { constructor: 'x' },
      { run: () => 1 },
      { loop: cyclic },
      { big: 'x'.repeat(70_000) },
      { when: new Date('invalid') },
      { [`k${'y'.repeat(300)}`]: 1 },
    ]) {
      await expect(
        h.adapter.createTwoFactorDevice({ userId, method: 'totp', verified: false, ...bad }),
      ).rejects.toMatchObject({ code: 'validation' });
    }
    expect(await h.adapter.listTwoFactorDevices(userId)).toEqual([]);
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });
});
