import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LegacyReadingCipher } from '../../src/adapters/crypto/legacy/legacy-cipher.js';
import { PostgresStorageAdapter } from '../../src/index.js';
import { UPSTREAM_TIME_ZONE_ENV } from '../../migrations/upstream/time-zones.js';
import { captureLogger } from '../support/capture-logger.js';
import { testKeys } from '../support/encrypted-rows.js';
import { databaseUrl, dropSchema, freshSchemaName, withClient } from '../support/postgres.js';
import {
  createUpstreamDatabase,
  inTimeZone,
  sessionOptions,
  type UpstreamSetup,
} from '../fixtures/upstream-database.js';
import { at, FAR, FARTHER, SECRETS, UPSTREAM_KEY } from '../fixtures/upstream-fill.js';
import type { UpstreamFill } from '../fixtures/upstream-fill.js';

const url = databaseUrl();
/** The adopting process runs outside UTC, and in another zone than upstream's writer unless said. */
const ADOPTER_ZONE = 'Asia/Kolkata';

interface Case extends UpstreamSetup {
  label: string;
  /** How the adopter learns upstream's zone: the option, the environment variable, or its own zone. */
  zoneFrom: 'option' | 'env' | 'default';
}

const CASES: Case[] = [
  {
    label: '3.1.x, written in New York, server in Berlin, zone by option',
    generation: '3.1',
    writerZone: 'America/New_York',
    serverZone: 'Europe/Berlin',
    zoneFrom: 'option',
  },
  {
    label: '3.0.x, written in New York, server default zone, zone by env',
    generation: '3.0',
    writerZone: 'America/New_York',
    zoneFrom: 'env',
  },
  {
    label: '3.0.x, written in Kolkata like the adopter, server in Auckland, default zone',
    generation: '3.0',
    writerZone: ADOPTER_ZONE,
    serverZone: 'Pacific/Auckland',
    zoneFrom: 'default',
  },
];

describe.skipIf(!url).each(CASES)('adopting @kitiumai/auth-postgres $label', (setup) => {
  const schema = freshSchemaName(`adopt${setup.generation}${setup.zoneFrom}`);
  const logger = captureLogger();
  const legacy = new LegacyReadingCipher({ primary: testKeys().old, plaintext: 'allow' });
  let adapter: PostgresStorageAdapter;
  let fill: UpstreamFill;
  let ids: UpstreamFill['ids'];

  beforeAll(async () => {
    fill = await createUpstreamDatabase(url!, schema, setup);
    ids = fill.ids;
    await inTimeZone(ADOPTER_ZONE, async () => {
      const previous = process.env[UPSTREAM_TIME_ZONE_ENV];
      if (setup.zoneFrom === 'env') process.env[UPSTREAM_TIME_ZONE_ENV] = setup.writerZone;
      try {
        adapter = new PostgresStorageAdapter(url!, {
          schema,
          logger,
          cipher: legacy,
          ...(setup.serverZone ? { options: sessionOptions(undefined, setup.serverZone) } : {}),
          ...(setup.zoneFrom === 'option' ? { upstreamTimeZone: setup.writerZone } : {}),
        });
        await adapter.connect();
      } finally {
        if (previous === undefined) delete process.env[UPSTREAM_TIME_ZONE_ENV];
        else process.env[UPSTREAM_TIME_ZONE_ENV] = previous;
      }
    });
  });

  afterAll(async () => {
    await adapter?.disconnect();
    await dropSchema(url!, schema);
  });

  it('logs the generation and the zones it read upstream’s timestamps in', async () => {
    const line = logger.lines.find((l) => l.message.startsWith('adopting a database made by'));
    const server =
      setup.serverZone ??
      (await withClient(url!, undefined, async (c) => (await c.query('show timezone')).rows[0].TimeZone));
    // The default is this process's zone as Intl names it (Node's ICU says Asia/Calcutta for Asia/Kolkata).
    const upstream = new Intl.DateTimeFormat('en', { timeZone: setup.writerZone }).resolvedOptions().timeZone;
    expect(line?.object).toEqual({
      generation: setup.generation,
      upstreamTimeZone: setup.zoneFrom === 'default' ? upstream : setup.writerZone,
      serverTimeZone: server,
    });
    const columns = logger.lines.find((l) =>
      l.message.startsWith('adopting @kitiumai/auth-postgres timestamps'),
    );
    expect((columns?.object.columns as Record<string, string>)['sessions.expires_at']).toBe(
      setup.zoneFrom === 'default' ? upstream : setup.writerZone,
    );
    expect((columns?.object.columns as Record<string, string>)['users.created_at']).toBe(server);
  });

  it('reads every user as upstream’s caller wrote it; updatedAt from a Date, from NOW() and from a link', async () => {
    expect(await adapter.getUser(ids.alice)).toEqual({
      id: ids.alice,
      email: 'Alice@Example.com',
      name: 'Alice A.',
      plan: 'free',
      entitlements: ['pro'],
      metadata: { tier: 1 },
      createdAt: at(0),
      updatedAt: at(1),
    });
    expect(await adapter.getUser(ids.bob)).toMatchObject({ createdAt: at(2), updatedAt: at(2) });
    const carol = await adapter.getUser(ids.carol);
    expect(carol).toMatchObject({ name: 'Carol', createdAt: at(4), updatedAt: at(5) });
    expect(carol?.oauth).toEqual({
      google: { provider: 'google', sub: 'g-carol', email: 'carol@gmail.com', linkedAt: at(5) },
    });
    expect((await adapter.getUserByOAuth('google', 'g-carol'))?.id).toBe(ids.carol);
  });

  it('keeps mixed-case emails; the oldest keeps a duplicated address', async () => {
    expect((await adapter.getUserByEmail('alice@example.com'))?.id).toBe(ids.alice);
    expect((await adapter.getUserByEmail('BOB@EXAMPLE.COM'))?.id).toBe(ids.bob);
    expect(await adapter.getUser(ids.aliceAgain)).toMatchObject({
      email: 'ALICE@example.COM',
      createdAt: at(3),
    });
    await expect(adapter.createUser({ email: 'Bob@Example.com' })).rejects.toMatchObject({
      code: 'conflict',
    });
  });

  it('reads organisations, API keys and sessions with their expiries exact', async () => {
    expect(await adapter.getOrganization(ids.org)).toEqual({
      id: ids.org,
      name: 'Acme',
      plan: 'team',
      seats: 6,
      members: [{ userId: ids.alice, role: 'owner', joinedAt: at(0) }],
      metadata: {},
      createdAt: at(6),
      updatedAt: at(7),
    });
    expect(await adapter.verifyApiKeySecret(UPSTREAM_KEY)).toMatchObject({
      id: ids.key,
      principalId: ids.alice,
      prefix: 'api',
      lastFour: UPSTREAM_KEY.slice(-4),
      scopes: ['read'],
      expiresAt: FAR,
      createdAt: at(8),
      updatedAt: at(8),
    });
    expect(await adapter.getApiKey(ids.key2)).toMatchObject({
      scopes: ['write', 'admin'],
      createdAt: at(9),
      updatedAt: at(10),
    });
    expect(await adapter.getSession(ids.session)).toEqual({
      id: ids.session,
      userId: ids.alice,
      orgId: ids.org,
      entitlements: ['pro'],
      expiresAt: FAR,
      metadata: { ip: '10.0.0.1' },
      createdAt: at(11),
      updatedAt: at(11),
    });
    expect(await adapter.getSession(ids.session2)).toMatchObject({
      expiresAt: FARTHER,
      createdAt: at(12),
      updatedAt: at(13),
    });
  });

  it('reads email tokens, events, roles and one assignment per (user, role, org); assigning works', async () => {
    expect(await adapter.getEmailVerificationTokenById(ids.token)).toMatchObject({
      email: 'Bob@Example.com',
      expiresAt: FAR,
      createdAt: at(14),
    });
    expect(await adapter.getEmailVerificationTokenById(ids.token2)).toMatchObject({
      createdAt: at(15),
      usedAt: at(16),
    });
    expect((await adapter.getEmailVerificationTokens('BOB@example.com')).map((t) => t.id).sort()).toEqual(
      [ids.token, ids.token2].sort(),
    );
    const events = await withClient(
      url!,
      schema,
      async (c) => (await c.query('select "timestamp" from auth_events')).rows,
    );
    expect(events).toEqual([{ timestamp: at(17) }]);
    expect(await adapter.getRole(ids.role)).toEqual({
      id: ids.role,
      orgId: ids.org,
      name: 'admin',
      description: 'Admins',
      permissions: [{ id: 'p1', name: 'read docs', resource: 'doc', action: 'read' }],
      isSystem: false,
      metadata: {},
      createdAt: at(18),
      updatedAt: at(19),
    });
    expect((await adapter.getUserRoles(ids.alice, ids.org)).map((r) => r.id)).toEqual([ids.role]);
    const assignments = async () =>
      withClient(
        url!,
        schema,
        async (c) => (await c.query('select user_id from user_roles order by user_id')).rows.length,
      );
    expect(await assignments()).toBe(2);
    expect(await adapter.assignRoleToUser(ids.carol, ids.role, ids.org)).toMatchObject({ id: ids.role });
    expect(await adapter.assignRoleToUser(ids.carol, ids.role, ids.org)).toMatchObject({ id: ids.role });
    expect(await assignments()).toBe(3);
  });

  it('folds SSO provider columns into authkeep’s shape, secrets included', async () => {
    expect(await adapter.getSSOProvider(ids.okta)).toEqual({
      id: ids.okta,
      type: 'oidc',
      name: 'Okta SSO',
      orgId: ids.org,
      metadata_url: 'https://okta.example/.well-known/openid-configuration',
      client_id: 'client-1',
      client_secret: SECRETS.clientSecret,
      redirect_uris: ['https://app.example/cb'],
      scopes: ['openid', 'email'],
      token_endpoint_auth_method: 'client_secret_basic',
      claim_mapping: { emailAttribute: 'mail' },
      metadata: {},
      createdAt: at(23),
      updatedAt: at(24),
    });
    expect(await adapter.getSSOProvider(ids.adfs)).toEqual({
      id: ids.adfs,
      type: 'saml',
      name: 'ADFS',
      idp_entity_id: 'https://adfs.example/entity',
      idp_sso_url: 'https://adfs.example/sso',
      idp_certificate: '-----BEGIN CERTIFICATE-----idp',
      sp_entity_id: 'https://app.example/sp',
      sp_acs_url: 'https://app.example/acs',
      signing_key: SECRETS.signingKey,
      encryption_enabled: false,
      force_authn: true,
      attribute_mapping: {},
      metadata: {},
      createdAt: at(25),
      updatedAt: at(25),
    });
    expect((await adapter.listSSOProviders(ids.org)).map((p) => (p as { id: string }).id)).toContain(
      ids.okta,
    );
  });

  it('reads SSO links and sessions, two-factor devices, backup codes and sessions', async () => {
    expect(await adapter.getSSOLink(ids.link)).toMatchObject({
      providerId: ids.okta,
      providerEmail: 'alice@okta.example',
      autoProvisioned: false,
      linkedAt: at(26),
      lastAuthAt: at(26),
    });
    expect(await adapter.getSSOSession(ids.ssoSession)).toMatchObject({
      sessionToken: SECRETS.ssoToken,
      expiresAt: FAR,
      linkedAt: at(27),
      lastAuthAt: at(27),
    });
    expect(await adapter.getTwoFactorDevice(ids.totp)).toMatchObject({
      method: 'totp',
      verified: true,
      secret: SECRETS.totp,
      lastUsedAt: at(29),
      createdAt: at(28),
      updatedAt: at(29),
    });
    expect(await adapter.getTwoFactorDevice(ids.sms)).toMatchObject({
      phoneNumber: '+15550100',
      verified: false,
      createdAt: at(30),
      updatedAt: at(30),
    });
    const codes = await adapter.getBackupCodes(ids.alice);
    expect(codes.find((c) => c.id === ids.code1)).toMatchObject({
      used: true,
      usedAt: at(32),
      createdAt: at(31),
    });
    expect(codes.find((c) => c.id === ids.code2)).toMatchObject({ used: false, createdAt: at(31) });
    expect(await adapter.getTwoFactorSession(ids.tfs)).toMatchObject({
      expiresAt: FAR,
      createdAt: at(33),
      completedAt: at(35),
    });
    expect(await adapter.getTwoFactorSession(ids.tfs2)).toMatchObject({
      verificationCode: SECRETS.smsCode,
      attemptCount: 0,
      maxAttempts: 5,
    });
  });
  // Changes data the last test does not read. Upstream's memory adapter (kitium-ai/auth
  // src/adapters/memory.ts, commit 50480ec) keeps a caller's extra fields; the adopted rows take them too.
  it('adopted rows take a consumer’s extra fields on update, Dates as Dates (migration 0007)', async () => {
    const extra = { tenant: 'acme', seenAt: at(40) };
    expect(await adapter.updateUser(ids.bob, extra as never)).toMatchObject({ id: ids.bob, ...extra });
    expect(await adapter.getUser(ids.bob)).toMatchObject(extra);
    expect(await adapter.updateOrganization(ids.org, extra as never)).toMatchObject({
      name: 'Acme',
      ...extra,
    });
    expect(await adapter.updateSession(ids.session2, extra as never)).toMatchObject(extra);
    expect(await adapter.getSession(ids.session2)).toMatchObject({ expiresAt: FARTHER, ...extra });
    expect(await adapter.updateApiKey(ids.key2, extra as never)).toMatchObject({
      scopes: ['write', 'admin'],
      ...extra,
    });
    expect(await adapter.updateSSOProvider(ids.adfs, extra)).toMatchObject(extra);
    expect(await adapter.getSSOProvider(ids.adfs)).toMatchObject(extra);
  });

  // Last: it changes the data. Writes on the adopted rows behave as on a fresh authkeep database.
  it('takes writes like a fresh database: re-sealed provider secrets, a user delete removes what the user owns', async () => {
    const renamed = await adapter.updateSSOProvider(ids.okta, { name: 'Okta again' });
    expect(renamed).toMatchObject({ name: 'Okta again', client_secret: SECRETS.clientSecret });
    const stored = await withClient(
      url!,
      schema,
      async (c) =>
        (await c.query('select secrets from sso_providers where id = $1', [ids.okta])).rows[0]
          .secrets as string,
    );
    expect(stored).not.toContain(SECRETS.clientSecret);
    expect(await adapter.updateUser(ids.alice, { name: 'Alice B.' })).toMatchObject({
      createdAt: at(0),
      name: 'Alice B.',
    });
    await adapter.deleteUser(ids.alice);
    expect(await adapter.getSession(ids.session)).toBeNull();
    expect(await adapter.getApiKey(ids.key)).toBeNull();
    expect(await adapter.getTwoFactorDevice(ids.totp)).toBeNull();
    expect(await adapter.getUserRoles(ids.alice, ids.org)).toEqual([]);
    expect(await adapter.getOrganization(ids.org)).not.toBeNull();
  });
});
