import { expect, it } from 'vitest';
import { describePasskeyData, sql } from './backends.js';

const at = (iso: string) => new Date(iso);

describePasskeyData('oauth2-passkey login history', (h) => {
  it('records an attempt with every field and reads it back', async () => {
    const { data } = h();
    const entry = await data.recordLogin({
      userId: 'u-full',
      timestamp: at('2026-05-13T04:12:33.123Z'),
      authMethod: 'oauth2',
      ipAddress: '203.0.113.9',
      userAgent: 'Mozilla/5.0',
      success: false,
      credentialId: null,
      provider: 'google',
      providerUserId: 'g-1',
      failureReason: 'denied',
      aaguid: null,
      email: 'a@x.io',
    });
    expect(entry).toMatchObject({
      userId: 'u-full',
      authMethod: 'oauth2',
      success: false,
      provider: 'google',
      failureReason: 'denied',
      credentialId: null,
      timestamp: at('2026-05-13T04:12:33.123Z'),
    });
    expect(typeof entry.id).toBe('number');
    expect(await data.listLogins('u-full')).toEqual([entry]);
  });

  it('cuts the user agent to 512 UTF-8 bytes without splitting a character', async () => {
    const { data } = h();
    const ua = `${'a'.repeat(511)}é${'b'.repeat(100)}`; // é is 2 bytes and straddles byte 512
    const entry = await data.recordLogin({
      userId: 'u-ua',
      authMethod: 'passkey',
      success: true,
      userAgent: ua,
    });
    expect(entry.userAgent).toBe('a'.repeat(511));
    const emoji = '😀'.repeat(200); // 4 bytes each: 128 fit exactly
    const second = await data.recordLogin({
      userId: 'u-ua',
      authMethod: 'passkey',
      success: true,
      userAgent: emoji,
    });
    expect(second.userAgent).toBe('😀'.repeat(128));
    expect(Buffer.byteLength(second.userAgent!)).toBe(512);
  });

  it('lists a user newest first, pages, and bounds by inclusive from/to', async () => {
    const { data } = h();
    const times = [
      '2026-03-01T10:00:00Z',
      '2026-03-02T10:00:00.5Z',
      '2026-03-03T10:00:00Z',
      '2026-03-04T10:00:00.25Z',
    ];
    for (const time of times)
      await data.recordLogin({
        userId: 'u-range',
        authMethod: 'passkey',
        success: true,
        timestamp: at(time),
      });
    const iso = (entries: { timestamp: Date }[]) => entries.map((e) => e.timestamp.toISOString());
    expect(iso(await data.listLogins('u-range'))).toEqual(
      [...times].reverse().map((t) => at(t).toISOString()),
    );
    expect(iso(await data.listLogins('u-range', { limit: 2, offset: 1 }))).toEqual(
      [at(times[2]!), at(times[1]!)].map((d) => d.toISOString()),
    );
    expect(iso(await data.listLogins('u-range', { from: at(times[1]!), to: at(times[2]!) }))).toEqual(
      [at(times[2]!), at(times[1]!)].map((d) => d.toISOString()),
    );
    expect(await data.listLogins('u-range', { from: at('2026-03-04T10:00:00.251Z') })).toEqual([]);
    expect(await data.listLogins('u-range', { to: at('2026-03-01T09:59:59.999Z') })).toEqual([]);
  });

  it('the admin query filters by user, outcome and range', async () => {
    const { data } = h();
    await data.recordLogin({
      userId: 'u-adm-1',
      authMethod: 'passkey',
      success: true,
      timestamp: at('2026-04-01T00:00:00Z'),
    });
    await data.recordLogin({
      userId: 'u-adm-1',
      authMethod: 'passkey',
      success: false,
      timestamp: at('2026-04-02T00:00:00Z'),
    });
    await data.recordLogin({
      userId: 'u-adm-2',
      authMethod: 'oauth2',
      success: false,
      timestamp: at('2026-04-03T00:00:00Z'),
    });
    const window = { from: at('2026-04-01T00:00:00Z'), to: at('2026-04-30T00:00:00Z') };
    const failed = await data.queryLoginHistory({ ...window, success: false });
    expect(failed.map((e) => e.userId)).toEqual(['u-adm-2', 'u-adm-1']);
    expect((await data.queryLoginHistory({ ...window, userId: 'u-adm-1' })).map((e) => e.success)).toEqual([
      false,
      true,
    ]);
    expect(await data.queryLoginHistory({ ...window, userId: 'u-adm-2', success: true })).toEqual([]);
  });

  it('the retention delete removes entries strictly older than the cutoff', async () => {
    const { data } = h();
    await data.recordLogin({
      userId: 'u-ret',
      authMethod: 'passkey',
      success: true,
      timestamp: at('2020-01-01T00:00:00Z'),
    });
    await data.recordLogin({
      userId: 'u-ret',
      authMethod: 'passkey',
      success: true,
      timestamp: at('2020-01-02T00:00:00Z'),
    });
    expect(await data.deleteLoginHistoryOlderThan(at('2020-01-02T00:00:00Z'))).toBe(1);
    expect((await data.listLogins('u-ret')).map((e) => e.timestamp.toISOString())).toEqual([
      '2020-01-02T00:00:00.000Z',
    ]);
    // Retention is disabled in this store (0 days), as the crate's default.
    expect(await data.cleanupOldLoginHistory()).toBe(0);
  });

  it('on SQLite the timestamp is RFC 3339 with +00:00, so TEXT range filters agree with the crate', async () => {
    const { data, dialect, raw, sql: passkeySql } = h();
    await data.recordLogin({
      userId: 'u-text',
      authMethod: 'passkey',
      success: true,
      timestamp: at('2026-05-13T04:12:33Z'),
    });
    await data.recordLogin({
      userId: 'u-text',
      authMethod: 'passkey',
      success: true,
      timestamp: at('2026-05-13T04:12:33.120Z'),
    });
    const rows = await raw<{ timestamp: unknown }>(
      sql`select timestamp from ${sql.table(passkeySql.names.loginHistory.table)} where user_id = ${'u-text'} order by id`,
    );
    if (dialect === 'sqlite') {
      expect(rows.map((r) => r.timestamp)).toEqual([
        '2026-05-13T04:12:33+00:00',
        '2026-05-13T04:12:33.120+00:00',
      ]);
    } else {
      expect(rows.every((r) => r.timestamp instanceof Date)).toBe(true);
    }
  });

  // oauth2-passkey 0.6 signs in with FedCM too and records it as auth_method 'fedcm' (its AuthMethod's
  // Display string: docs.rs oauth2-passkey 0.6.1 src/audit/types.rs). Before, 'fedcm' was refused here.
  it('records and filters a FedCM sign-in, as the crate writes it', async () => {
    const { data } = h();
    const entry = await data.recordLogin({
      userId: 'u-fedcm',
      authMethod: 'fedcm',
      success: true,
      provider: 'google',
      providerUserId: 'g-7',
      email: 'f@x.io',
    });
    expect(entry).toMatchObject({ authMethod: 'fedcm', provider: 'google' });
    expect(await data.queryLoginHistory({ userId: 'u-fedcm', success: true })).toEqual([entry]);
  });

  it('rejects an unknown auth method and a negative page', async () => {
    const { data } = h();
    await expect(
      data.recordLogin({ userId: 'x', authMethod: 'password' as never, success: true }),
    ).rejects.toMatchObject({ code: 'validation' });
    await expect(data.listLogins('x', { offset: -1 })).rejects.toMatchObject({ code: 'validation' });
  });
});

describePasskeyData(
  'oauth2-passkey login history retention',
  (h) => {
    it('cleanupOldLoginHistory deletes what is older than O2P_LOGIN_HISTORY_RETENTION_DAYS', async () => {
      const { data } = h();
      const now = Date.now();
      await data.recordLogin({
        userId: 'r',
        authMethod: 'passkey',
        success: true,
        timestamp: new Date(now - 31 * 86_400_000),
      });
      await data.recordLogin({
        userId: 'r',
        authMethod: 'passkey',
        success: true,
        timestamp: new Date(now - 29 * 86_400_000),
      });
      expect(await data.cleanupOldLoginHistory()).toBe(1);
      expect(await data.listLogins('r')).toHaveLength(1);
    });
  },
  { loginHistoryRetentionDays: 30 },
);
