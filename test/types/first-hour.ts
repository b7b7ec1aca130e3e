/**
 * Compiled by `npm run typecheck`, never run: what a new user writes first type-checks without casts,
 * and what is wrong does not (each @ts-expect-error fails the build if the line ever compiles).
 */
import { AesGcmKeyring, createAuthStorage, SqliteStorageAdapter } from '../../src/index.js';

// A cache URL from the environment is a string; it is checked when the cache opens.
createAuthStorage({ database: ':memory:', cache: process.env.REDIS_URL });
// So is the keyring: unset, it is a config error naming AUTHKEEP_ENCRYPTION_KEYS.
new AesGcmKeyring({ keys: process.env.AUTHKEEP_ENCRYPTION_KEYS });

const storage = new SqliteStorageAdapter(':memory:');

export async function extraFields(): Promise<string> {
  const user = await storage.createUser({ email: 'ada@example.com', tenant: 'acme' });
  const tagged = await storage.updateUser(user.id, { tier: 3 });
  const tier: number = tagged.tier;
  // @ts-expect-error a record field keeps its type: name is a string
  await storage.updateUser(user.id, { name: 42 });
  const session = await storage.createSession({
    userId: user.id,
    entitlements: [],
    expiresAt: new Date(),
    device: 'laptop',
  });
  const token = await storage.createEmailVerificationToken({
    email: 'ada@example.com',
    code: '123456',
    codeHash: 'hash',
    type: 'verify_email',
    expiresAt: new Date(),
    channel: 'email',
  });
  await storage.emitEvent({ type: 'login', principalId: user.id, data: {}, region: 'eu' });
  return `${user.tenant}${tier}${session.device}${token.channel}`;
}

export async function ssoInputs(): Promise<void> {
  const oidc = await storage.createSSOProvider({
    type: 'oidc',
    name: 'Okta',
    metadata_url: 'https://example.okta.com/.well-known/openid-configuration',
    client_id: 'id',
    client_secret: 'secret',
    redirect_uris: ['https://app.example.com/callback'],
  });
  await storage.updateSSOProvider(oidc.id, { name: 'Okta EU', scopes: null });
  // @ts-expect-error an OIDC provider needs its client_id
  await storage.createSSOProvider({
    type: 'oidc',
    name: 'x',
    metadata_url: 'https://x',
    client_secret: 's',
    redirect_uris: [],
  });
  // @ts-expect-error the kind is 'oidc' or 'saml'
  await storage.createSSOProvider({ type: 'ldap', name: 'x' });
  await storage.storeTenantSAMLConfig({ tenantId: 'acme', idpEntityId: 'https://idp.example.com' });
  // @ts-expect-error a tenant config is stored under its tenantId
  await storage.storeTenantSAMLConfig({ idpEntityId: 'https://idp.example.com' });
}
