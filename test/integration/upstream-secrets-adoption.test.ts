import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LegacyReadingCipher } from '../../src/adapters/crypto/legacy-cipher.js';
import { rotateEncryptedColumns } from '../../src/adapters/kysely/key-rotation.js';
import { PostgresStorageAdapter, silentLogger, type OIDCProviderRecord } from '../../src/index.js';
import { UPSTREAM_DDL, upstreamRows } from '../fixtures/upstream-schema.js';
import { databaseUrl, dropSchema, freshSchemaName, withClient } from '../support/postgres.js';
import { testKeys } from '../support/encrypted-rows.js';

const url = databaseUrl();
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** Secrets as upstream left them: in clear, the OIDC client secret inside the provider's JSON config. */
const SECRETS = {
  clientSecret: 'upstream-oidc-client-secret',
  signingKey: 'upstream-saml-signing-key',
  totp: 'UPSTREAMTOTPSECRET',
  ssoToken: 'upstream-sso-session-token',
  twoFactorSessionId: 'upstream-2fa-bearer-session',
  code: '731904',
};

const UPSTREAM_SECRET_ROWS = `
INSERT INTO sso_providers (id, type, name, org_id, config, created_at, updated_at) VALUES
  ('okta', 'oidc', 'Okta', 'org-1', '{"id": "okta", "type": "oidc", "name": "Okta", "metadata_url": "https://okta.example/.well-known", "client_id": "cid", "client_secret": "${SECRETS.clientSecret}", "redirect_uris": ["https://app/cb"], "createdAt": "2024-01-01T00:00:00.000Z"}', '2024-01-01 00:00:00', '2024-01-02 00:00:00'),
  ('adfs', 'saml', 'ADFS', NULL, '{"idp_entity_id": "e", "idp_sso_url": "https://adfs/sso", "sp_entity_id": "sp", "sp_acs_url": "https://app/acs", "signing_key": "${SECRETS.signingKey}", "force_authn": true}', '2024-01-01 00:00:00', '2024-01-01 00:00:00');
INSERT INTO twofa_devices (id, user_id, method, verified, secret, created_at) VALUES
  ('dev-1', 'user-1', 'totp', true, '${SECRETS.totp}', '2024-01-03 00:00:00');
INSERT INTO sso_sessions (id, user_id, provider_id, provider_type, provider_subject, session_token, expires_at) VALUES
  ('sso-1', 'user-1', 'okta', 'oidc', 'sub-1', '${SECRETS.ssoToken}', '2099-01-01 00:00:00');
INSERT INTO twofa_sessions (id, user_id, session_id, device_id, method, verification_code, expires_at) VALUES
  ('tfs-1', 'user-1', '${SECRETS.twoFactorSessionId}', 'dev-1', 'sms', '${SECRETS.code}', '2099-01-01 00:00:00');
`;

describe.skipIf(!url)('adopting upstream two-factor and SSO secrets stored in clear', () => {
  const schema = freshSchemaName('adoptsecrets');
  const keys = testKeys();
  // Reads upstream's plaintext as it is, writes only envelopes: for the time until rotation seals the rest.
  const legacy = new LegacyReadingCipher({ primary: keys.old, plaintext: 'allow' });
  let adapter: PostgresStorageAdapter;

  const dump = () =>
    withClient(url!, schema, async (c) => {
      const tables = ['sso_providers', 'twofa_devices', 'sso_sessions', 'twofa_sessions'];
      const rows = await Promise.all(tables.map(async (t) => (await c.query(`select * from ${t}`)).rows));
      return JSON.stringify(rows);
    });

  beforeAll(async () => {
    await withClient(url!, undefined, async (c) => {
      await c.query(`create schema ${schema}`);
      await c.query(`set search_path = ${schema}`);
      await c.query(UPSTREAM_DDL);
      await c.query(upstreamRows(sha256('unused')));
      await c.query(UPSTREAM_SECRET_ROWS);
    });
    adapter = new PostgresStorageAdapter(url!, { schema, logger: silentLogger, cipher: legacy });
    await adapter.connect();
  });

  afterAll(async () => {
    await adapter?.disconnect();
    await dropSchema(url!, schema);
  });

  it('moves provider secrets out of the readable config and reads every record through a legacy-reading cipher', async () => {
    const config = await withClient(
      url!,
      schema,
      async (c) => (await c.query(`select config from sso_providers`)).rows,
    );
    expect(JSON.stringify(config)).not.toContain(SECRETS.clientSecret);
    expect(JSON.stringify(config)).not.toContain(SECRETS.signingKey);
    const okta = (await adapter.getSSOProvider('okta')) as OIDCProviderRecord;
    expect(okta).toEqual({
      id: 'okta',
      type: 'oidc',
      name: 'Okta',
      orgId: 'org-1',
      metadata_url: 'https://okta.example/.well-known',
      client_id: 'cid',
      client_secret: SECRETS.clientSecret,
      redirect_uris: ['https://app/cb'],
      createdAt: new Date('2024-01-01T00:00:00.000Z'),
      updatedAt: new Date('2024-01-02T00:00:00.000Z'),
    });
    expect(await adapter.getSSOProvider('adfs')).toMatchObject({
      signing_key: SECRETS.signingKey,
      force_authn: true,
    });
    expect((await adapter.getTwoFactorDevice('dev-1'))?.secret).toBe(SECRETS.totp);
    expect((await adapter.getSSOSession('sso-1'))?.sessionToken).toBe(SECRETS.ssoToken);
    expect(await adapter.getTwoFactorSession('tfs-1')).toMatchObject({
      sessionId: SECRETS.twoFactorSessionId,
      verificationCode: SECRETS.code,
      attemptCount: 0,
      maxAttempts: 5,
    });
  });

  it('key rotation with the legacy-reading cipher seals every value; afterwards the plain keyring reads them all', async () => {
    const report = await rotateEncryptedColumns(adapter.sqlStore, { cipher: legacy });
    expect(report.failures).toEqual([]);
    const text = await dump();
    for (const secret of Object.values(SECRETS)) expect(text).not.toContain(secret);

    const sealed = new PostgresStorageAdapter(url!, { schema, logger: silentLogger, cipher: keys.old });
    try {
      expect(((await sealed.getSSOProvider('okta')) as OIDCProviderRecord).client_secret).toBe(
        SECRETS.clientSecret,
      );
      expect(await sealed.getSSOProvider('adfs')).toMatchObject({ signing_key: SECRETS.signingKey });
      expect((await sealed.getTwoFactorDevice('dev-1'))?.secret).toBe(SECRETS.totp);
      expect((await sealed.getSSOSession('sso-1'))?.sessionToken).toBe(SECRETS.ssoToken);
      expect(await sealed.getTwoFactorSession('tfs-1')).toMatchObject({
        sessionId: SECRETS.twoFactorSessionId,
        verificationCode: SECRETS.code,
      });
    } finally {
      await sealed.disconnect();
    }
  });

  it('without a legacy-reading cipher, a value still in clear is an integrity error, never returned as is', async () => {
    await withClient(url!, schema, (c) =>
      c.query(`update twofa_devices set secret = 'PLAINAGAIN' where id = 'dev-1'`),
    );
    const strict = new PostgresStorageAdapter(url!, {
      schema,
      logger: silentLogger,
      encryptionKeys: keys.oldEnv,
    });
    try {
      await expect(strict.getTwoFactorDevice('dev-1')).rejects.toMatchObject({ code: 'integrity' });
    } finally {
      await strict.disconnect();
    }
  });
});
