import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import type { OIDCProviderRecord, SAMLProviderRecord } from '../../../src/index.js';
import { databaseDump, describeKeyed } from './keyed-backends.js';

/**
 * A consumer's extra fields on SSO providers. The fact: upstream's own memory adapter
 * (kitium-ai/auth src/adapters/memory.ts, commit 50480ec) creates a provider as
 * `{ id, ...data, createdAt }` and updates it as `{ ...current, ...data, id, createdAt }`, so other
 * fields are kept and returned. What stays refused: the other kind's fields (a SAML signing key given to
 * an OIDC provider must not land in clear as an extra field), a type change, unsafe keys.
 */
describeKeyed('a consumer’s extra fields on SSO providers', (h) => {
  const at = new Date('2030-06-07T08:09:10.111Z');
  const extra = () => ({ tenant: 'acme', seenAt: at, nested: { when: at, n: 1, list: ['x'] } });

  const oidc = () => ({
    type: 'oidc' as const,
    name: 'Okta',
    orgId: `org-${randomUUID()}`,
    metadata_url: 'https://idp.example.com/.well-known/openid-configuration',
    client_id: 'client-1',
    client_secret: `secret-${randomUUID()}`,
    redirect_uris: ['https://app.example.com/cb'],
  });
  const saml = () => ({
    type: 'saml' as const,
    name: 'ADFS',
    idp_entity_id: 'https://adfs.example.com/entity',
    idp_sso_url: 'https://adfs.example.com/sso',
    sp_entity_id: 'https://app.example.com/saml',
    sp_acs_url: 'https://app.example.com/saml/acs',
    signing_key: `key-${randomUUID()}`,
  });

  it('OIDC and SAML: kept on create, merged per field on update, Dates as Dates, listed', async () => {
    const input = oidc();
    const created = (await h.adapter.createSSOProvider({ ...input, ...extra() })) as OIDCProviderRecord;
    expect(created).toMatchObject({ ...input, ...extra() });
    expect(await h.adapter.getSSOProvider(created.id)).toEqual(created);
    expect(await h.adapter.listSSOProviders(input.orgId)).toEqual([created]);
    const updated = await h.adapter.updateSSOProvider(created.id, {
      name: 'Okta 2',
      seenAt: new Date(0),
      nested: undefined,
      added: [1, 2],
    });
    expect(updated).toMatchObject({ name: 'Okta 2', tenant: 'acme', seenAt: new Date(0), added: [1, 2] });
    expect(updated).not.toHaveProperty('nested');
    expect(await h.adapter.getSSOProvider(created.id)).toEqual(updated);
    // The whole record passed back changes nothing it holds.
    const again = (await h.adapter.updateSSOProvider(created.id, { ...(updated as object) })) as object;
    expect(again).toEqual({ ...(updated as object), updatedAt: (again as { updatedAt: Date }).updatedAt });

    const samlProvider = await h.adapter.createSSOProvider({ ...saml(), ...extra() });
    expect(samlProvider).toMatchObject(extra());
    expect(await h.adapter.getSSOProvider((samlProvider as SAMLProviderRecord).id)).toEqual(samlProvider);
  });

  it('the secrets stay sealed and the other kind’s fields stay refused, on create and on update', async () => {
    const input = oidc();
    const stray = `stray-signing-key-${randomUUID()}`;
    await expect(
      h.adapter.createSSOProvider({ ...input, signing_key: stray, ...extra() }),
    ).rejects.toMatchObject({ code: 'validation', details: { field: 'signing_key' } });
    const created = (await h.adapter.createSSOProvider({ ...input, ...extra() })) as OIDCProviderRecord;
    for (const data of [
      { signing_key: stray },
      { idp_sso_url: 'https://x' },
      { type: 'saml' },
      JSON.parse('{"__proto__": {"admin": true}}') as object,
      { prototype: 1 },
      { big: 'x'.repeat(70_000) },
      { fn: () => 1 },
    ]) {
      await expect(h.adapter.updateSSOProvider(created.id, data as never)).rejects.toMatchObject({
        code: 'validation',
      });
    }
    expect(await h.adapter.getSSOProvider(created.id)).toEqual(created);
    const dump = await databaseDump(h.adapter);
    expect(dump).not.toContain(input.client_secret);
    expect(dump).not.toContain(stray);
  });
});
