import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import type { BackupCode, TwoFactorSession } from '../../../src/index.js';
import { describeKeyed, rawRows } from './keyed-backends.js';

const user = () => `user-${randomUUID()}`;
const hashOf = (n: number) => `argon2id$hash-${n}-${randomUUID()}`;

describeKeyed('two-factor devices', (h) => {
  it('creates a TOTP device, seals its secret, and reads it back', async () => {
    const userId = user();
    const lastUsedAt = new Date('2030-05-06T07:08:09.123Z');
    const device = await h.adapter.createTwoFactorDevice({
      userId,
      method: 'totp',
      name: 'phone',
      verified: false,
      secret: 'JBSWY3DPEHPK3PXP-device-secret',
      lastUsedAt,
      metadata: { app: 'authy' },
    });
    expect(device).toMatchObject({
      userId,
      method: 'totp',
      name: 'phone',
      verified: false,
      secret: 'JBSWY3DPEHPK3PXP-device-secret',
      lastUsedAt,
    });
    expect(device.createdAt).toBeInstanceOf(Date);
    expect(device.updatedAt).toEqual(device.createdAt);
    expect(await h.adapter.getTwoFactorDevice(device.id)).toEqual(device);
    expect(await rawRows(h.adapter)).not.toContain('JBSWY3DPEHPK3PXP-device-secret');
    expect(await h.adapter.getTwoFactorDevice('missing')).toBeNull();
  });

  it('creates an SMS device without a secret', async () => {
    const device = await h.adapter.createTwoFactorDevice({
      userId: user(),
      method: 'sms',
      verified: true,
      phoneNumber: '+15551234567',
    });
    expect(device).not.toHaveProperty('secret');
    expect(await h.adapter.getTwoFactorDevice(device.id)).toEqual(device);
  });

  it('rejects bad devices and writes nothing', async () => {
    const userId = user();
    for (const data of [
      { userId, method: 'email', verified: false },
      { userId, method: 'totp', verified: 'yes' },
      { userId, method: 'totp', verified: false, secret: 7 },
      { userId, method: 'sms', verified: false, phoneNumber: '1'.repeat(51) },
      // Subtype fields of the wrong type, and extra fields that are unsafe or not JSON data.
      { userId, method: 'totp', verified: false, backupCodesUsed: 'none' },
      { userId, method: 'sms', verified: false, verificationCodeExpiresAt: 'soon' },
      { userId, method: 'totp', verified: false, trusted: () => true },
      { userId, method: 'totp', verified: false, huge: 'x'.repeat(70_000) },
      JSON.parse(`{"userId":"${userId}","method":"totp","verified":false,"__proto__":{"admin":true}}`),
    ]) {
      await expect(h.adapter.createTwoFactorDevice(data as never)).rejects.toMatchObject({
        code: 'validation',
      });
    }
    expect(await h.adapter.listTwoFactorDevices(userId)).toEqual([]);
  });

  it('updates writable fields, re-seals a new secret, accepts the full record back, refuses a new owner', async () => {
    const userId = user();
    const device = await h.adapter.createTwoFactorDevice({
      userId,
      method: 'totp',
      verified: false,
      secret: 'first-secret-value',
    });
    const verified = await h.adapter.updateTwoFactorDevice(device.id, {
      verified: true,
      secret: 'second-secret-value',
      lastUsedAt: new Date(1_000),
    });
    expect(verified).toMatchObject({
      verified: true,
      secret: 'second-secret-value',
      lastUsedAt: new Date(1_000),
    });
    expect(verified.updatedAt!.getTime()).toBeGreaterThanOrEqual(device.createdAt.getTime());
    const full = await h.adapter.updateTwoFactorDevice(device.id, {
      ...verified,
      name: 'laptop',
      createdAt: new Date(0),
    });
    expect(full).toMatchObject({
      name: 'laptop',
      createdAt: device.createdAt,
      secret: 'second-secret-value',
    });
    const cleared = await h.adapter.updateTwoFactorDevice(device.id, { secret: undefined, name: undefined });
    expect(cleared).not.toHaveProperty('secret');
    expect(cleared).not.toHaveProperty('name');
    await expect(h.adapter.updateTwoFactorDevice(device.id, { userId: user() })).rejects.toMatchObject({
      code: 'validation',
    });
    await expect(
      h.adapter.updateTwoFactorDevice(device.id, { verified: false, pin: () => '1' } as never),
    ).rejects.toMatchObject({ code: 'validation' });
    expect(await h.adapter.getTwoFactorDevice(device.id)).toEqual(cleared);
    await expect(h.adapter.updateTwoFactorDevice('missing', { verified: true })).rejects.toMatchObject({
      code: 'not_found',
    });
    const raw = await rawRows(h.adapter);
    expect(raw).not.toContain('first-secret-value');
    expect(raw).not.toContain('second-secret-value');
  });

  it('lists a user’s devices newest first and deletes one (a missing one is a no-op)', async () => {
    const userId = user();
    const a = await h.adapter.createTwoFactorDevice({
      userId,
      method: 'totp',
      verified: true,
      secret: 's-a',
    });
    const b = await h.adapter.createTwoFactorDevice({
      userId,
      method: 'sms',
      verified: true,
      phoneNumber: '+1',
    });
    await h.adapter.createTwoFactorDevice({ userId: user(), method: 'totp', verified: true });
    expect((await h.adapter.listTwoFactorDevices(userId)).map((d) => d.id)).toEqual([b.id, a.id]);
    await h.adapter.deleteTwoFactorDevice(a.id);
    await h.adapter.deleteTwoFactorDevice(a.id);
    expect((await h.adapter.listTwoFactorDevices(userId)).map((d) => d.id)).toEqual([b.id]);
  });
});

describeKeyed('backup codes', (h) => {
  const codesFor = (userId: string, n: number, createdAt = new Date()): BackupCode[] =>
    Array.from({ length: n }, (_, i) => ({
      id: randomUUID(),
      userId,
      code: hashOf(i),
      used: false,
      createdAt,
    }));

  it('stores the caller’s hashed codes as given and lists them', async () => {
    const userId = user();
    const codes = codesFor(userId, 10, new Date('2031-01-01T00:00:00.000Z'));
    expect(await h.adapter.createBackupCodes(userId, codes)).toEqual(codes);
    const listed = await h.adapter.getBackupCodes(userId);
    expect(listed).toHaveLength(10);
    expect(new Set(listed.map((c) => c.id))).toEqual(new Set(codes.map((c) => c.id)));
    expect(listed[0]!.createdAt).toEqual(new Date('2031-01-01T00:00:00.000Z'));
    expect(await h.adapter.createBackupCodes(userId, [])).toEqual([]);
    expect(await h.adapter.getBackupCodes(user())).toEqual([]);
  });

  it('stores all codes or none: a bad code, a code of another user or a duplicate id writes nothing', async () => {
    const userId = user();
    const good = codesFor(userId, 3);
    await expect(
      h.adapter.createBackupCodes(userId, [...good, { ...good[0]!, id: randomUUID(), code: 5 } as never]),
    ).rejects.toMatchObject({ code: 'validation' });
    await expect(
      h.adapter.createBackupCodes(userId, [...good, { ...codesFor(user(), 1)[0]! }]),
    ).rejects.toMatchObject({ code: 'validation' });
    await expect(h.adapter.createBackupCodes(userId, [...good, { ...good[0]! }])).rejects.toMatchObject({
      code: 'conflict',
    });
    await expect(h.adapter.createBackupCodes(userId, 'codes' as never)).rejects.toMatchObject({
      code: 'validation',
    });
    expect(await h.adapter.getBackupCodes(userId)).toEqual([]);
  });

  it('marks a code used once; a second use is a conflict, an unknown code not_found', async () => {
    const userId = user();
    const [code] = await h.adapter.createBackupCodes(userId, codesFor(userId, 1));
    await h.adapter.markBackupCodeUsed(code!.id);
    const [used] = await h.adapter.getBackupCodes(userId);
    expect(used).toMatchObject({ id: code!.id, used: true });
    expect(used!.usedAt).toBeInstanceOf(Date);
    await expect(h.adapter.markBackupCodeUsed(code!.id)).rejects.toMatchObject({ code: 'conflict' });
    await expect(h.adapter.markBackupCodeUsed('missing')).rejects.toMatchObject({ code: 'not_found' });
  });
});

describeKeyed('two-factor sessions', (h) => {
  const session = (extra: Partial<TwoFactorSession> = {}): TwoFactorSession => ({
    id: randomUUID(),
    userId: user(),
    sessionId: `bearer-${randomUUID()}`,
    deviceId: randomUUID(),
    method: 'sms',
    verificationCode: `code-${randomUUID()}`,
    attemptCount: 1,
    maxAttempts: 3,
    expiresAt: new Date('2032-02-03T04:05:06.789Z'),
    createdAt: new Date('2032-02-03T04:00:00.000Z'),
    ...extra,
  });

  it('stores the whole record (its id too), seals the session id and code, reads it back', async () => {
    const input = session();
    expect(await h.adapter.createTwoFactorSession(input)).toEqual(input);
    expect(await h.adapter.getTwoFactorSession(input.id)).toEqual(input);
    const raw = await rawRows(h.adapter);
    expect(raw).not.toContain(input.sessionId);
    expect(raw).not.toContain(input.verificationCode);
    expect(await h.adapter.getTwoFactorSession('missing')).toBeNull();
  });

  it('accepts a session without a code; a taken id is a conflict; bad input is rejected', async () => {
    const input = session({ method: 'totp', verificationCode: undefined });
    delete input.verificationCode;
    expect(await h.adapter.createTwoFactorSession(input)).toEqual(input);
    await expect(h.adapter.createTwoFactorSession({ ...input })).rejects.toMatchObject({ code: 'conflict' });
    await expect(h.adapter.createTwoFactorSession({ ...session(), attemptCount: -1 })).rejects.toMatchObject({
      code: 'validation',
    });
    await expect(
      h.adapter.createTwoFactorSession({ ...session(), expiresAt: 'soon' } as never),
    ).rejects.toMatchObject({ code: 'validation' });
    await expect(
      h.adapter.createTwoFactorSession({ ...session(), ip: Symbol('not data') } as never),
    ).rejects.toMatchObject({ code: 'validation' });
  });

  it('completes once; a second completion is a conflict, an unknown session not_found', async () => {
    const input = session();
    await h.adapter.createTwoFactorSession(input);
    await h.adapter.completeTwoFactorSession(input.id);
    const done = await h.adapter.getTwoFactorSession(input.id);
    expect(done?.completedAt).toBeInstanceOf(Date);
    expect(done).toMatchObject({ sessionId: input.sessionId, verificationCode: input.verificationCode });
    await expect(h.adapter.completeTwoFactorSession(input.id)).rejects.toMatchObject({ code: 'conflict' });
    await expect(h.adapter.completeTwoFactorSession('missing')).rejects.toMatchObject({ code: 'not_found' });
  });
});
