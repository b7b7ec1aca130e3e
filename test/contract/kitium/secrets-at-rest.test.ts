import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AesGcmKeyring } from '../../../src/adapters/crypto/keyring/aes-gcm-keyring.js';
import {
  ConfigError,
  SqliteStorageAdapter,
  silentLogger,
  type KitiumAdapterOptions,
} from '../../../src/index.js';
import { databaseDump, describeKeyed, TEST_KEYS } from './keyed-backends.js';

/** Every encoding a secret could be found in by someone reading a dump. */
const forms = (secret: string) => [
  secret,
  Buffer.from(secret).toString('base64'),
  Buffer.from(secret).toString('hex'),
];

describeKeyed('secrets at rest (upstream defect 6)', (h) => {
  it('a database dump holds no two-factor secret, SSO secret or token, session id, code or tenant key in clear', async () => {
    const mark = randomUUID().replaceAll('-', '');
    const secrets = {
      totp: `TOTPSECRET${mark}`,
      clientSecret: `client-secret-${mark}`,
      signingKey: `signing-key-${mark}`,
      ssoToken: `sso-token-${mark}`,
      twoFactorSessionId: `bearer-session-${mark}`,
      verificationCode: `code-${mark}`,
      tenantKey: `tenant-private-key-${mark}`,
      // Issue 12: where TwoFactorAuthService keeps the TOTP secret and live SMS codes.
      tempSecret: `TEMPSECRET${mark}`,
      smsMetadataCode: `sms-metadata-code-${mark}`,
      smsDeviceCode: `sms-device-code-${mark}`,
    };
    const userId = `user-${mark}`;
    await h.adapter.createTwoFactorDevice({ userId, method: 'totp', verified: true, secret: secrets.totp });
    await h.adapter.createTwoFactorDevice({
      userId,
      method: 'totp',
      verified: false,
      secret: secrets.tempSecret,
      metadata: { tempSecret: secrets.tempSecret },
    });
    const sms = await h.adapter.createTwoFactorDevice({
      userId,
      method: 'sms',
      verified: false,
      phoneNumber: '+15550000000',
      verificationCode: secrets.smsDeviceCode,
    } as never);
    await h.adapter.updateTwoFactorDevice(sms.id, {
      metadata: { verificationCode: secrets.smsMetadataCode, verificationCodeExpiresAt: new Date() },
    });
    await h.adapter.createSSOProvider({
      type: 'oidc',
      name: 'o',
      metadata_url: 'https://m',
      client_id: 'c',
      client_secret: secrets.clientSecret,
      redirect_uris: [],
    });
    await h.adapter.createSSOProvider({
      type: 'saml',
      name: 's',
      idp_entity_id: 'e',
      idp_sso_url: 'u',
      sp_entity_id: 'e',
      sp_acs_url: 'a',
      signing_key: secrets.signingKey,
    });
    await h.adapter.createSSOSession({
      userId,
      providerId: 'p',
      providerType: 'oidc',
      providerSubject: 's',
      sessionToken: secrets.ssoToken,
      expiresAt: new Date(),
      lastAuthAt: new Date(),
    });
    await h.adapter.createTwoFactorSession({
      id: randomUUID(),
      userId,
      sessionId: secrets.twoFactorSessionId,
      deviceId: 'd',
      method: 'sms',
      verificationCode: secrets.verificationCode,
      attemptCount: 0,
      maxAttempts: 3,
      expiresAt: new Date(),
      createdAt: new Date(),
    });
    await h.adapter.storeTenantSAMLConfig({ tenantId: `tenant-${mark}`, privateKey: secrets.tenantKey });
    const dump = await databaseDump(h.adapter);
    expect(dump).toContain(userId);
    for (const secret of Object.values(secrets)) {
      for (const form of forms(secret))
        expect(dump.includes(form), 'a secret is readable in the dump').toBe(false);
    }
  });

  it('a sealed value copied to another row does not decrypt there (integrity error)', async () => {
    const a = await h.adapter.createTwoFactorDevice({
      userId: 'u-a',
      method: 'totp',
      verified: true,
      secret: 'secret-of-a',
    });
    const b = await h.adapter.createTwoFactorDevice({
      userId: 'u-b',
      method: 'totp',
      verified: true,
      secret: 'secret-of-b',
    });
    const db = h.adapter.sqlStore.db;
    const row = await db
      .selectFrom('twofa_devices')
      .select('secret')
      .where('id', '=', a.id)
      .executeTakeFirstOrThrow();
    await db
      .updateTable('twofa_devices')
      .set({ secret: row.secret as string })
      .where('id', '=', b.id)
      .execute();
    await expect(h.adapter.getTwoFactorDevice(b.id)).rejects.toMatchObject({ code: 'integrity' });
    expect((await h.adapter.getTwoFactorDevice(a.id))?.secret).toBe('secret-of-a');
  });
});

describe('encryption keys: configuration', () => {
  const dir = mkdtempSync(join(tmpdir(), 'authkeep-keys-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Opens a SQLite file with AUTHKEEP_ENCRYPTION_KEYS set to `env` (or unset) while the adapter is built. */
  function open(file: string, options: KitiumAdapterOptions, env?: string): SqliteStorageAdapter {
    const saved = process.env.AUTHKEEP_ENCRYPTION_KEYS;
    if (env === undefined) delete process.env.AUTHKEEP_ENCRYPTION_KEYS;
    else process.env.AUTHKEEP_ENCRYPTION_KEYS = env;
    try {
      return new SqliteStorageAdapter(join(dir, file), { logger: silentLogger, ...options });
    } finally {
      if (saved === undefined) delete process.env.AUTHKEEP_ENCRYPTION_KEYS;
      else process.env.AUTHKEEP_ENCRYPTION_KEYS = saved;
    }
  }

  it('without a key, secret-free records work and writing a secret is a config error that writes nothing', async () => {
    const adapter = open('nokey.db', {});
    await adapter.connect();
    try {
      const sms = await adapter.createTwoFactorDevice({
        userId: 'u',
        method: 'sms',
        verified: true,
        phoneNumber: '+1',
      });
      expect(await adapter.getTwoFactorDevice(sms.id)).toEqual(sms);
      await adapter.createRole({ orgId: 'o', name: 'r', permissions: [], isSystem: false });
      const attempts = [
        adapter.createTwoFactorDevice({ userId: 'u', method: 'totp', verified: true, secret: 'plain-totp' }),
        adapter.createSSOProvider({
          type: 'oidc',
          name: 'o',
          metadata_url: 'm',
          client_id: 'c',
          client_secret: 'plain-client',
          redirect_uris: [],
        }),
        adapter.createSSOSession({
          userId: 'u',
          providerId: 'p',
          providerType: 'oidc',
          providerSubject: 's',
          sessionToken: 'plain-token',
          expiresAt: new Date(),
          lastAuthAt: new Date(),
        }),
        adapter.storeTenantSAMLConfig({ tenantId: 't' }),
        adapter.updateTwoFactorDevice(sms.id, { secret: 'plain-later' }),
      ];
      for (const attempt of attempts) {
        const error = await attempt.catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ConfigError);
        expect((error as Error).message).toMatch(
          /no encryption key is configured: set AUTHKEEP_ENCRYPTION_KEYS/,
        );
        expect((error as Error).message).not.toMatch(/plain-/);
      }
      expect(await adapter.listTwoFactorDevices('u')).toEqual([sms]);
      expect(await adapter.listSSOProviders()).toEqual([]);
      expect(await adapter.getTenantSAMLConfig('t')).toBeNull();
    } finally {
      await adapter.disconnect();
    }
  });

  it('reads with the keys from AUTHKEEP_ENCRYPTION_KEYS; without them, or with another key, a sealed secret does not read', async () => {
    const keys = `k1:${randomBytes(32).toString('base64')}`;
    const writer = open('env.db', {}, keys);
    await writer.connect();
    const device = await writer.createTwoFactorDevice({
      userId: 'u',
      method: 'totp',
      verified: true,
      secret: 'env-secret',
    });
    await writer.disconnect();

    const same = open('env.db', { encryptionKeys: keys });
    expect((await same.getTwoFactorDevice(device.id))?.secret).toBe('env-secret');
    await same.disconnect();
    const keyless = open('env.db', {});
    await expect(keyless.getTwoFactorDevice(device.id)).rejects.toBeInstanceOf(ConfigError);
    await keyless.disconnect();
    const other = open('env.db', {
      cipher: new AesGcmKeyring({ keys: `k2:${randomBytes(32).toString('base64')}` }),
    });
    await expect(other.getTwoFactorDevice(device.id)).rejects.toMatchObject({ code: 'integrity' });
    await other.disconnect();
  });

  it('a bad key, or both a cipher and keys, is a config error when the adapter is built', () => {
    expect(() => open('bad.db', { encryptionKeys: `k1:${randomBytes(16).toString('base64')}` })).toThrow(
      ConfigError,
    );
    expect(() => open('bad.db', {}, 'not-a-key-list')).toThrow(ConfigError);
    expect(() =>
      open('bad.db', { encryptionKeys: TEST_KEYS, cipher: new AesGcmKeyring({ keys: TEST_KEYS }) }),
    ).toThrow(/either the cipher option or encryptionKeys/);
    expect(() => open('bad.db', { cipher: {} as never })).toThrow(ConfigError);
  });
});
