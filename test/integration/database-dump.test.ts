import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  PostgresStorageAdapter,
  SqliteStorageAdapter,
  silentLogger,
  type KitiumStorageAdapter,
} from '../../src/index.js';
import { databaseUrl, dropSchema, freshSchemaName } from '../support/postgres.js';

const url = databaseUrl();
const run = promisify(execFile);

/** Every plaintext secret the scenario writes, by name. */
type Secrets = Record<string, string>;

/** The forms a secret could appear in a dump: as written, and in the usual binary-to-text encodings. */
function forms(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  return [secret, bytes.toString('base64'), bytes.toString('base64url'), bytes.toString('hex')];
}

function leaked(dump: string, secrets: Secrets): string[] {
  return Object.entries(secrets)
    .filter(([, secret]) => forms(secret).some((form) => dump.includes(form)))
    .map(([name]) => name);
}

/** Writes one of every secret authkeep keeps, through the public facade, and reads each back. */
async function writeSecrets(adapter: KitiumStorageAdapter): Promise<Secrets> {
  const user = await adapter.createUser({ email: `dump-${randomBytes(4).toString('hex')}@example.com` });
  const expiresAt = new Date(Date.now() + 3_600_000);
  const session = await adapter.createSession({ userId: user.id, entitlements: [], expiresAt });
  const { key } = await adapter.createApiKeyWithSecret(user.id, ['read']);
  const totp = `JBSWY3DP${randomBytes(10).toString('hex').toUpperCase()}`;
  const device = await adapter.createTwoFactorDevice({
    userId: user.id,
    method: 'totp',
    verified: true,
    secret: totp,
  });
  const challenge = {
    id: `2fa-${randomBytes(4).toString('hex')}`,
    userId: user.id,
    sessionId: randomBytes(32).toString('base64url'),
    deviceId: device.id,
    method: 'totp' as const,
    verificationCode: `V${randomBytes(5).toString('hex').toUpperCase()}`,
    attemptCount: 0,
    maxAttempts: 5,
    expiresAt,
    createdAt: new Date(),
  };
  await adapter.createTwoFactorSession(challenge);
  const clientSecret = `oidc-secret-${randomBytes(16).toString('hex')}`;
  const provider = await adapter.createSSOProvider({
    type: 'oidc',
    name: 'Dump IdP',
    metadata_url: 'https://idp.example.com/.well-known/openid-configuration',
    client_id: 'authkeep-dump',
    client_secret: clientSecret,
    redirect_uris: ['https://app.example.com/callback'],
  });
  const ssoToken = `sso-${randomBytes(24).toString('base64url')}`;
  const ssoSession = await adapter.createSSOSession({
    userId: user.id,
    providerId: provider.id,
    providerType: 'oidc',
    providerSubject: 'subject-1',
    sessionToken: ssoToken,
    expiresAt,
    lastAuthAt: new Date(),
  });

  // Longer than six digits only so that it cannot turn up in a dump by chance.
  const emailCode = `E${randomBytes(5).toString('hex').toUpperCase()}`;
  const loginLink = `link-${randomBytes(24).toString('base64url')}`;
  const emailTokens = [];
  for (const [type, code] of [
    ['verify_email', emailCode],
    ['login_link', loginLink],
  ] as const) {
    emailTokens.push(
      await adapter.createEmailVerificationToken({
        email: user.email as string,
        code,
        codeHash: 'caller-hash',
        type,
        userId: user.id,
        expiresAt,
        createdAt: new Date(),
      }),
    );
  }
  await adapter.markEmailVerificationTokenAsUsed(emailTokens[0]!.id);
  await adapter.incrementEmailVerificationTokenAttempts(emailTokens[1]!.id);
  const samlKey = `-----BEGIN PRIVATE KEY-----${randomBytes(24).toString('base64')}`;
  const tenantId = `tenant-${randomBytes(4).toString('hex')}`;
  await adapter.storeTenantSAMLConfig({
    tenantId,
    idpEntityId: 'https://idp.example.com',
    privateKey: samlKey,
  });

  // The secrets are stored, not dropped: each reads back through the facade.
  const listed = await adapter.getEmailVerificationTokens(user.email as string);
  expect(listed.map((t) => t.id).sort()).toEqual(emailTokens.map((t) => t.id).sort());
  // A code reads back as its keyed digest, never as the code.
  for (const token of listed) expect(token.code).toMatch(/^ecd1\.k1\./);
  expect((await adapter.getTenantSAMLConfig(tenantId)) as { privateKey?: string }).toMatchObject({
    privateKey: samlKey,
  });
  expect((await adapter.getSession(session.id))?.userId).toBe(user.id);
  expect((await adapter.verifyApiKeySecret(key))?.principalId).toBe(user.id);
  expect((await adapter.getTwoFactorDevice(device.id))?.secret).toBe(totp);
  const readChallenge = await adapter.getTwoFactorSession(challenge.id);
  expect(readChallenge?.sessionId).toBe(challenge.sessionId);
  expect(readChallenge?.verificationCode).toBe(challenge.verificationCode);
  expect((await adapter.getSSOProvider(provider.id)) as { client_secret?: string }).toMatchObject({
    client_secret: clientSecret,
  });
  expect((await adapter.getSSOSession(ssoSession.id))?.sessionToken).toBe(ssoToken);

  return {
    'session token': session.id,
    'API key': key,
    'API key secret part': key.slice(key.indexOf('_') + 1),
    'two-factor secret': totp,
    'two-factor session id': challenge.sessionId,
    'two-factor verification code': challenge.verificationCode,
    'OIDC client secret': clientSecret,
    'SSO session token': ssoToken,
    'email verification code': emailCode,
    'login link code': loginLink,
    'SAML private key': samlKey,
  };
}

const encryptionKeys = `k1:${randomBytes(32).toString('base64')}`;

describe.skipIf(!url)('a database dump holds no secret in clear [postgres, pg_dump]', () => {
  const schema = freshSchemaName('dump');
  let adapter: PostgresStorageAdapter;
  let secrets: Secrets;

  beforeAll(async () => {
    adapter = new PostgresStorageAdapter(url as string, { schema, logger: silentLogger, encryptionKeys });
    await adapter.connect();
    secrets = await writeSecrets(adapter);
  });

  afterAll(async () => {
    await adapter?.disconnect();
    await dropSchema(url as string, schema);
  });

  it('pg_dump of the schema contains none of them, in any usual encoding', async () => {
    const { stdout } = await run('pg_dump', ['--dbname', url as string, '--schema', schema, '--no-owner'], {
      maxBuffer: 64 * 1024 * 1024,
    });
    // The dump is real: it holds our rows (the user's email, an encrypted envelope).
    expect(stdout).toContain('@example.com');
    expect(stdout).toMatch(/ak1\.k1\./);
    expect(leaked(stdout, secrets)).toEqual([]);
  });
});

describe('a database dump holds no secret in clear [sqlite file]', () => {
  const dir = mkdtempSync(join(tmpdir(), 'authkeep-dump-'));
  let adapter: SqliteStorageAdapter;
  let secrets: Secrets;

  beforeAll(async () => {
    adapter = new SqliteStorageAdapter(`sqlite:${join(dir, 'auth.db')}`, {
      logger: silentLogger,
      encryptionKeys,
    });
    await adapter.connect();
    secrets = await writeSecrets(adapter);
  });

  afterAll(async () => {
    await adapter?.disconnect();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a SELECT of every table contains none of them', async () => {
    const db = adapter.sqlStore.db;
    const { rows: tables } = await sql<{ name: string }>`
      select name from sqlite_master where type = 'table' order by name`.execute(db);
    const dump: string[] = [];
    for (const { name } of tables) {
      const { rows } = await sql<Record<string, unknown>>`select * from ${sql.table(name)}`.execute(db);
      dump.push(JSON.stringify({ table: name, rows }));
    }
    const text = dump.join('\n');
    expect(text).toContain('@example.com');
    expect(text).toMatch(/ak1\.k1\./);
    expect(leaked(text, secrets)).toEqual([]);
  });

  it('nor do the database files themselves (main file and write-ahead log)', async () => {
    await sql`pragma wal_checkpoint(passive)`.execute(adapter.sqlStore.db);
    const bytes = readdirSync(dir).map((file) => readFileSync(join(dir, file)).toString('latin1'));
    expect(leaked(bytes.join('\n'), secrets)).toEqual([]);
  });
});
