import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LegacyReadingCipher } from '../../src/adapters/crypto/legacy/legacy-cipher.js';
import { rotateEncryptedColumns } from '../../src/adapters/kysely/sealing/key-rotation.js';
import { PostgresStorageAdapter, silentLogger, type OIDCProviderRecord } from '../../src/index.js';
import { testKeys } from '../support/encrypted-rows.js';
import { databaseUrl, dropSchema, freshSchemaName, withClient } from '../support/postgres.js';
import { createUpstreamDatabase } from '../fixtures/upstream-database.js';
import { SECRETS, type UpstreamFill } from '../fixtures/upstream-fill.js';

const url = databaseUrl();
/** Bearer values upstream kept in clear besides the secrets: two-factor session ids. */
const PENDING_2FA_SESSION = 'pending-login-2';

describe.skipIf(!url)('adopting upstream two-factor and SSO secrets stored in clear', () => {
  const schema = freshSchemaName('adoptsecrets');
  const keys = testKeys();
  // Reads upstream's plaintext as it is, writes only envelopes: for the time until rotation seals the rest.
  const legacy = new LegacyReadingCipher({ primary: keys.old, plaintext: 'allow' });
  let adapter: PostgresStorageAdapter;
  let ids: UpstreamFill['ids'];

  /** The columns that hold secrets. twofa_devices.metadata (a caller's tempSecret) is issue 12 item 3's. */
  const dump = () =>
    withClient(url!, schema, async (c) => {
      // One after the other: a pg.Client runs one query at a time (queueing more is deprecated in pg 8).
      const rows: unknown[][] = [];
      for (const sql of [
        'select * from sso_providers',
        'select id, secret from twofa_devices',
        'select * from sso_sessions',
        'select * from twofa_sessions',
      ])
        rows.push((await c.query(sql)).rows);
      return JSON.stringify(rows);
    });

  beforeAll(async () => {
    ({ ids } = await createUpstreamDatabase(url!, schema, { generation: '3.1', writerZone: 'Asia/Kolkata' }));
    adapter = new PostgresStorageAdapter(url!, {
      schema,
      logger: silentLogger,
      cipher: legacy,
      upstreamTimeZone: 'Asia/Kolkata',
    });
    await adapter.connect();
  });

  afterAll(async () => {
    await adapter?.disconnect();
    await dropSchema(url!, schema);
  });

  it('moves provider secrets out of their columns and the readable config into the secrets column', async () => {
    const rows = await withClient(
      url!,
      schema,
      async (c) => (await c.query('select id, config, secrets from sso_providers')).rows,
    );
    expect(JSON.stringify(rows.map((r) => r.config))).not.toContain(SECRETS.clientSecret);
    expect(JSON.stringify(rows.map((r) => r.config))).not.toContain(SECRETS.signingKey);
    // As upstream left them (plaintext JSON) until rotation seals them.
    expect(JSON.parse(rows.find((r) => r.id === ids.okta).secrets)).toEqual({
      client_secret: SECRETS.clientSecret,
    });
    expect(JSON.parse(rows.find((r) => r.id === ids.adfs).secrets)).toEqual({
      signing_key: SECRETS.signingKey,
    });
  });

  it('reads every secret through a legacy-reading cipher', async () => {
    expect(((await adapter.getSSOProvider(ids.okta)) as OIDCProviderRecord).client_secret).toBe(
      SECRETS.clientSecret,
    );
    expect(await adapter.getSSOProvider(ids.adfs)).toMatchObject({ signing_key: SECRETS.signingKey });
    expect((await adapter.getTwoFactorDevice(ids.totp))?.secret).toBe(SECRETS.totp);
    expect((await adapter.getSSOSession(ids.ssoSession))?.sessionToken).toBe(SECRETS.ssoToken);
    expect(await adapter.getTwoFactorSession(ids.tfs2)).toMatchObject({
      sessionId: PENDING_2FA_SESSION,
      verificationCode: SECRETS.smsCode,
    });
  });

  it('key rotation with the legacy-reading cipher seals every value; afterwards the plain keyring reads them all', async () => {
    const report = await rotateEncryptedColumns(adapter.sqlStore, { cipher: legacy });
    expect(report.failures).toEqual([]);
    const text = await dump();
    for (const secret of [...Object.values(SECRETS), PENDING_2FA_SESSION]) expect(text).not.toContain(secret);

    const sealed = new PostgresStorageAdapter(url!, { schema, logger: silentLogger, cipher: keys.old });
    try {
      expect(((await sealed.getSSOProvider(ids.okta)) as OIDCProviderRecord).client_secret).toBe(
        SECRETS.clientSecret,
      );
      expect(await sealed.getSSOProvider(ids.adfs)).toMatchObject({ signing_key: SECRETS.signingKey });
      expect((await sealed.getTwoFactorDevice(ids.totp))?.secret).toBe(SECRETS.totp);
      expect((await sealed.getSSOSession(ids.ssoSession))?.sessionToken).toBe(SECRETS.ssoToken);
      expect(await sealed.getTwoFactorSession(ids.tfs2)).toMatchObject({
        sessionId: PENDING_2FA_SESSION,
        verificationCode: SECRETS.smsCode,
      });
    } finally {
      await sealed.disconnect();
    }
  });

  it('without a legacy-reading cipher, a value still in clear is an integrity error, never returned as is', async () => {
    await withClient(url!, schema, (c) =>
      c.query(`update twofa_devices set secret = 'PLAINAGAIN' where id = $1`, [ids.totp]),
    );
    const strict = new PostgresStorageAdapter(url!, {
      schema,
      logger: silentLogger,
      encryptionKeys: keys.oldEnv,
    });
    try {
      await expect(strict.getTwoFactorDevice(ids.totp)).rejects.toMatchObject({ code: 'integrity' });
    } finally {
      await strict.disconnect();
    }
  });
});
