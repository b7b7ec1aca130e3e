import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import type { OIDCProviderRecord } from '../../../src/index.js';
import { describeKeyed } from './keyed-backends.js';

const N = 50;

function settle<T>(calls: Promise<T>[]) {
  return Promise.allSettled(calls).then((results) => ({
    ok: results.filter((r) => r.status === 'fulfilled').length,
    errors: results
      .filter((r): r is PromiseRejectedResult => r.status === 'rejected')
      .map((r) => (r.reason as { code?: string }).code),
  }));
}

// On PostgreSQL these are truly concurrent (a pool of 20 connections); SQLite serialises them.
describeKeyed('two-factor, RBAC and SSO under real concurrency', (h) => {
  it(`${N} concurrent markBackupCodeUsed → exactly one success`, async () => {
    const userId = `user-${randomUUID()}`;
    const [code] = await h.adapter.createBackupCodes(userId, [
      { id: randomUUID(), userId, code: 'hash', used: false, createdAt: new Date() },
    ]);
    const { ok, errors } = await settle(
      Array.from({ length: N }, () => h.adapter.markBackupCodeUsed(code!.id)),
    );
    expect(ok).toBe(1);
    expect(errors).toEqual(Array(N - 1).fill('conflict'));
  });

  it(`${N} concurrent completeTwoFactorSession → exactly one success`, async () => {
    const session = await h.adapter.createTwoFactorSession({
      id: randomUUID(),
      userId: 'u',
      sessionId: 'bearer',
      deviceId: 'd',
      method: 'totp',
      attemptCount: 0,
      maxAttempts: 5,
      expiresAt: new Date(Date.now() + 60_000),
      createdAt: new Date(),
    });
    const { ok, errors } = await settle(
      Array.from({ length: N }, () => h.adapter.completeTwoFactorSession(session.id)),
    );
    expect(ok).toBe(1);
    expect(errors).toEqual(Array(N - 1).fill('conflict'));
  });

  it(`${N} concurrent assignRoleToUser of one role → all succeed, one assignment`, async () => {
    const role = await h.adapter.createRole({ orgId: 'org', name: 'r', permissions: [], isSystem: false });
    const { ok, errors } = await settle(
      Array.from({ length: N }, () => h.adapter.assignRoleToUser('racer', role.id, 'org')),
    );
    expect(errors).toEqual([]);
    expect(ok).toBe(N);
    const rows = await h.adapter.sqlStore.db
      .selectFrom('user_roles')
      .selectAll()
      .where('role_id', '=', role.id)
      .execute();
    expect(rows).toHaveLength(1);
  });

  it('assignments racing deleteRole leave no assignment of the deleted role behind', async () => {
    for (let round = 0; round < 5; round++) {
      const role = await h.adapter.createRole({
        orgId: 'org',
        name: 'doomed',
        permissions: [],
        isSystem: false,
      });
      const assigns = Array.from({ length: 20 }, (_, i) =>
        h.adapter.assignRoleToUser(`u${i}`, role.id, 'org'),
      );
      const { errors } = await settle<unknown>([...assigns, h.adapter.deleteRole(role.id)]);
      expect(errors.every((code) => code === 'not_found')).toBe(true);
      const rows = await h.adapter.sqlStore.db
        .selectFrom('user_roles')
        .selectAll()
        .where('role_id', '=', role.id)
        .execute();
      expect(rows).toEqual([]);
    }
  });

  it('concurrent partial updates of one SSO provider lose none of each other’s fields', async () => {
    const provider = (await h.adapter.createSSOProvider({
      type: 'oidc',
      name: 'n',
      metadata_url: 'https://m',
      client_id: 'c',
      client_secret: 's',
      redirect_uris: [],
    })) as OIDCProviderRecord;
    const changes = [
      { name: 'renamed' },
      { client_id: 'client-2' },
      { client_secret: 'secret-2' },
      { scopes: ['openid'] },
      { response_type: 'code' },
      { token_endpoint_auth_method: 'private_key_jwt' },
      { claim_mapping: { email: 'mail' } },
      { metadata: { a: 1 } },
      { redirect_uris: ['https://cb'] },
      { metadata_url: 'https://m2' },
    ];
    const { errors } = await settle(
      changes.map((change) => h.adapter.updateSSOProvider(provider.id, change)),
    );
    expect(errors).toEqual([]);
    expect(await h.adapter.getSSOProvider(provider.id)).toMatchObject(Object.assign({}, ...changes));
  });

  it(`${N} concurrent updates of one SAML tenant config, each adding a key → all ${N} keys kept`, async () => {
    const tenantId = `tenant-${randomUUID()}`;
    await h.adapter.storeTenantSAMLConfig({ tenantId });
    const { errors } = await settle(
      Array.from({ length: N }, (_, i) => h.adapter.updateTenantSAMLConfig(tenantId, { [`key${i}`]: i })),
    );
    expect(errors).toEqual([]);
    const config = (await h.adapter.getTenantSAMLConfig(tenantId)) as Record<string, unknown>;
    expect(Object.keys(config)).toHaveLength(N + 1);
  });
});
