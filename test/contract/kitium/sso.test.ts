import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import type { OIDCProviderRecord, SAMLProviderRecord } from '../../../src/index.js';
import { describeKeyed, rawRows } from './keyed-backends.js';

type NewProvider<T> = Omit<T, 'id' | 'createdAt' | 'updatedAt'> & { id?: string };

const oidc = (orgId?: string): NewProvider<OIDCProviderRecord> => ({
  type: 'oidc',
  name: 'Okta',
  ...(orgId ? { orgId } : {}),
  metadata_url: 'https://idp.example.com/.well-known/openid-configuration',
  client_id: 'client-123',
  client_secret: `oidc-client-secret-${randomUUID()}`,
  redirect_uris: ['https://app.example.com/cb', 'https://app.example.com/cb2'],
  scopes: ['openid', 'email'],
  response_type: 'code',
  token_endpoint_auth_method: 'client_secret_post',
  claim_mapping: { email: 'mail', name: 'displayName' },
  metadata: { tier: 'gold', rollout: { percent: 10 } },
});

const saml = (orgId?: string): NewProvider<SAMLProviderRecord> => ({
  type: 'saml',
  name: 'ADFS',
  ...(orgId ? { orgId } : {}),
  idp_entity_id: 'https://adfs.example.com/entity',
  idp_sso_url: 'https://adfs.example.com/sso',
  idp_slo_url: 'https://adfs.example.com/slo',
  idp_certificate: '-----BEGIN CERTIFICATE-----\nMIIBidp\n-----END CERTIFICATE-----',
  sp_entity_id: 'https://app.example.com/saml',
  sp_acs_url: 'https://app.example.com/saml/acs',
  sp_slo_url: 'https://app.example.com/saml/slo',
  signing_cert: '-----BEGIN CERTIFICATE-----\nMIIBsp\n-----END CERTIFICATE-----',
  signing_key: `-----BEGIN PRIVATE KEY-----\nsaml-signing-key-${randomUUID()}\n-----END PRIVATE KEY-----`,
  encryption_enabled: true,
  force_authn: false,
  allow_unencrypted_assertion: false,
  attribute_mapping: { email: 'urn:oid:0.9.2342.19200300.100.1.3' },
  metadata: { region: 'eu' },
});

describeKeyed('SSO providers', (h) => {
  it('round-trips an OIDC provider with every field, Dates as Dates, the secret sealed at rest', async () => {
    const input = oidc(`org-${randomUUID()}`);
    const created = (await h.adapter.createSSOProvider(input)) as OIDCProviderRecord;
    expect(created).toEqual({
      ...input,
      id: created.id,
      createdAt: expect.any(Date),
      updatedAt: expect.any(Date),
    });
    expect(await h.adapter.getSSOProvider(created.id)).toEqual(created);
    const raw = await rawRows(h.adapter);
    expect(raw).toContain('client-123');
    expect(raw).not.toContain(input.client_secret);
  });

  it('round-trips a SAML provider with every field, the signing key sealed at rest', async () => {
    const input = saml(`org-${randomUUID()}`);
    const created = (await h.adapter.createSSOProvider(input)) as SAMLProviderRecord;
    expect(created).toEqual({
      ...input,
      id: created.id,
      createdAt: expect.any(Date),
      updatedAt: expect.any(Date),
    });
    expect(await h.adapter.getSSOProvider(created.id)).toEqual(created);
    const raw = await rawRows(h.adapter);
    expect(raw).toContain('MIIBidp');
    expect(raw).not.toContain(input.signing_key);
  });

  it('keeps a caller-chosen id (a taken one is a conflict) and ignores caller timestamps', async () => {
    const id = `okta-${randomUUID()}`;
    const created = await h.adapter.createSSOProvider({
      ...oidc(),
      id,
      createdAt: new Date(0),
      updatedAt: new Date(0),
    });
    expect(created).toMatchObject({ id });
    expect((created as OIDCProviderRecord).createdAt.getTime()).toBeGreaterThan(0);
    await expect(h.adapter.createSSOProvider({ ...oidc(), id })).rejects.toMatchObject({ code: 'conflict' });
  });

  it('rejects an unknown type, missing fields and the other type’s keys, writing nothing', async () => {
    const orgId = `org-${randomUUID()}`;
    const { client_id: _omitted, ...noClientId } = oidc(orgId);
    for (const data of [
      { ...oidc(orgId), type: 'ldap' },
      { ...oidc(orgId), type: undefined },
      noClientId,
      { ...oidc(orgId), client_secret: undefined },
      { ...saml(orgId), signing_key: 42 },
      { ...oidc(orgId), idp_sso_url: 'https://mixed' },
      { ...oidc(orgId), redirect_uris: 'https://one' },
      'oidc',
    ]) {
      await expect(h.adapter.createSSOProvider(data as never)).rejects.toMatchObject({ code: 'validation' });
    }
    expect(await h.adapter.listSSOProviders(orgId)).toEqual([]);
  });

  it('lists providers of an organisation, or all of them, newest first', async () => {
    const orgId = `org-${randomUUID()}`;
    const a = (await h.adapter.createSSOProvider(oidc(orgId))) as OIDCProviderRecord;
    const b = (await h.adapter.createSSOProvider(saml(orgId))) as SAMLProviderRecord;
    const other = (await h.adapter.createSSOProvider(oidc())) as OIDCProviderRecord;
    expect(await h.adapter.listSSOProviders(orgId)).toEqual([b, a]);
    const all = (await h.adapter.listSSOProviders()) as OIDCProviderRecord[];
    expect(all.map((p) => p.id)).toEqual(expect.arrayContaining([a.id, b.id, other.id]));
    expect(all.findIndex((p) => p.id === other.id)).toBeLessThan(all.findIndex((p) => p.id === b.id));
    expect(all.every((p) => p.createdAt instanceof Date)).toBe(true);
  });

  it('updates partially and with the full record passed back (upstream defect 4), re-sealing secrets', async () => {
    const created = (await h.adapter.createSSOProvider(oidc())) as OIDCProviderRecord;
    const rotated = `rotated-secret-${randomUUID()}`;
    const partial = (await h.adapter.updateSSOProvider(created.id, {
      client_secret: rotated,
      scopes: ['openid'],
    })) as OIDCProviderRecord;
    expect(partial).toEqual({
      ...created,
      client_secret: rotated,
      scopes: ['openid'],
      updatedAt: expect.any(Date),
    });
    const full = (await h.adapter.updateSSOProvider(created.id, {
      ...partial,
      name: 'Okta EU',
      createdAt: new Date(0),
    })) as OIDCProviderRecord;
    expect(full).toEqual({ ...partial, name: 'Okta EU', updatedAt: expect.any(Date) });
    expect(full.updatedAt.getTime()).toBeGreaterThanOrEqual(partial.updatedAt.getTime());
    const cleared = (await h.adapter.updateSSOProvider(created.id, {
      claim_mapping: undefined,
      orgId: null,
    })) as OIDCProviderRecord;
    expect(cleared).not.toHaveProperty('claim_mapping');
    expect(cleared).not.toHaveProperty('orgId');
    expect(await h.adapter.getSSOProvider(created.id)).toEqual(cleared);
    const raw = await rawRows(h.adapter);
    expect(raw).not.toContain(rotated);
    expect(raw).not.toContain(created.client_secret);
  });

  it('updates a SAML provider, clearing its signing key', async () => {
    const created = (await h.adapter.createSSOProvider(saml())) as SAMLProviderRecord;
    const updated = (await h.adapter.updateSSOProvider(created.id, {
      signing_key: undefined,
      force_authn: true,
    })) as SAMLProviderRecord;
    expect(updated).toMatchObject({ force_authn: true, signing_cert: created.signing_cert });
    expect(updated).not.toHaveProperty('signing_key');
    expect(await h.adapter.getSSOProvider(created.id)).toEqual(updated);
  });

  it('refuses unsafe keys, fields of the other type, a type change and a cleared required field; writes nothing', async () => {
    const created = (await h.adapter.createSSOProvider(oidc())) as OIDCProviderRecord;
    for (const data of [
      // Other keys are the caller's extra fields (caller-shapes.test.ts); prototype keys are refused.
      JSON.parse('{"__proto__": {"admin": true}}'),
      { constructor: 'x' },
      { sp_acs_url: 'https://x' },
      { type: 'saml' },
      { client_id: null },
      { redirect_uris: [1] },
      'name',
    ]) {
      await expect(h.adapter.updateSSOProvider(created.id, data)).rejects.toMatchObject({
        code: 'validation',
      });
    }
    expect(await h.adapter.getSSOProvider(created.id)).toEqual(created);
    expect(await h.adapter.updateSSOProvider(created.id, { type: 'oidc', name: 'same type' })).toMatchObject({
      name: 'same type',
    });
    await expect(h.adapter.updateSSOProvider('missing', { name: 'x' })).rejects.toMatchObject({
      code: 'not_found',
    });
  });

  it('deletes a provider with its links and sessions; a missing one is a no-op', async () => {
    const created = (await h.adapter.createSSOProvider(saml())) as SAMLProviderRecord;
    const userId = `user-${randomUUID()}`;
    const link = await h.adapter.createSSOLink({
      userId,
      providerId: created.id,
      providerType: 'saml',
      providerSubject: 's',
      lastAuthAt: new Date(),
    });
    const session = await h.adapter.createSSOSession({
      userId,
      providerId: created.id,
      providerType: 'saml',
      providerSubject: 's',
      expiresAt: new Date(),
      lastAuthAt: new Date(),
    });
    await h.adapter.deleteSSOProvider(created.id);
    expect(await h.adapter.getSSOProvider(created.id)).toBeNull();
    expect(await h.adapter.getSSOLink(link.id)).toBeNull();
    expect(await h.adapter.getSSOSession(session.id)).toBeNull();
    await h.adapter.deleteSSOProvider(created.id);
  });
});

describeKeyed('SSO links and sessions', (h) => {
  it('creates, reads, lists (newest first) and deletes links', async () => {
    const userId = `user-${randomUUID()}`;
    const lastAuthAt = new Date('2030-03-04T05:06:07.890Z');
    const first = await h.adapter.createSSOLink({
      userId,
      providerId: 'okta',
      providerType: 'oidc',
      providerSubject: 'sub-1',
      providerEmail: 'a@corp.example',
      autoProvisioned: true,
      metadata: { groups: ['eng'] },
      lastAuthAt,
    });
    expect(first).toMatchObject({
      userId,
      providerType: 'oidc',
      autoProvisioned: true,
      lastAuthAt,
      metadata: { groups: ['eng'] },
    });
    expect(first.linkedAt).toBeInstanceOf(Date);
    expect(await h.adapter.getSSOLink(first.id)).toEqual(first);
    const second = await h.adapter.createSSOLink({
      userId,
      providerId: 'adfs',
      providerType: 'saml',
      providerSubject: 'sub-2',
      lastAuthAt,
    });
    expect(second).not.toHaveProperty('autoProvisioned');
    expect(second).not.toHaveProperty('providerEmail');
    expect((await h.adapter.getUserSSOLinks(userId)).map((l) => l.id)).toEqual([second.id, first.id]);
    await h.adapter.deleteSSOLink(first.id);
    await h.adapter.deleteSSOLink(first.id);
    expect(await h.adapter.getUserSSOLinks(userId)).toEqual([second]);
    expect(await h.adapter.getSSOLink('missing')).toBeNull();
  });

  it('rejects bad links and writes nothing', async () => {
    const userId = `user-${randomUUID()}`;
    const base = {
      userId,
      providerId: 'p',
      providerType: 'oidc',
      providerSubject: 's',
      lastAuthAt: new Date(),
    };
    for (const data of [
      { ...base, providerType: 'ldap' },
      { ...base, providerSubject: '' },
      { ...base, lastAuthAt: 'now' },
      { ...base, role: () => 'admin' },
      { ...base, id: '' },
    ]) {
      await expect(h.adapter.createSSOLink(data as never)).rejects.toMatchObject({ code: 'validation' });
    }
    expect(await h.adapter.getUserSSOLinks(userId)).toEqual([]);
  });

  it('creates an SSO session with its token sealed at rest, and reads it back', async () => {
    const token = `idp-session-token-${randomUUID()}`;
    const expiresAt = new Date('2030-01-01T00:00:00.000Z');
    const session = await h.adapter.createSSOSession({
      userId: `user-${randomUUID()}`,
      providerId: 'okta',
      providerType: 'oidc',
      providerSubject: 'sub',
      sessionToken: token,
      expiresAt,
      lastAuthAt: expiresAt,
    });
    expect(session).toMatchObject({ sessionToken: token, expiresAt, lastAuthAt: expiresAt });
    expect(session.linkedAt).toBeInstanceOf(Date);
    expect(await h.adapter.getSSOSession(session.id)).toEqual(session);
    expect(await rawRows(h.adapter)).not.toContain(token);
    const tokenless = await h.adapter.createSSOSession({
      userId: 'u',
      providerId: 'p',
      providerType: 'oauth',
      providerSubject: 's',
      expiresAt,
      lastAuthAt: expiresAt,
    });
    expect(tokenless).not.toHaveProperty('sessionToken');
    expect(await h.adapter.getSSOSession(tokenless.id)).toEqual(tokenless);
    expect(await h.adapter.getSSOSession('missing')).toBeNull();
    await expect(
      h.adapter.createSSOSession({
        userId: 'u',
        providerId: 'p',
        providerType: 'oidc',
        providerSubject: 's',
        lastAuthAt: expiresAt,
      } as never),
    ).rejects.toMatchObject({ code: 'validation' });
  });
});
