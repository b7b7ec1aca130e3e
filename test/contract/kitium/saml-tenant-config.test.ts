import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import { describeKeyed, rawRows } from './keyed-backends.js';

const tenant = () => `tenant-${randomUUID()}`;

describeKeyed('SAML tenant configs', (h) => {
  it('stores a config under its own tenantId and reads it back, Dates inside as Dates', async () => {
    const tenantId = tenant();
    const config = {
      tenantId,
      idpEntityId: 'https://idp.example.com',
      certificates: [{ pem: 'MIIB...', notAfter: new Date('2031-01-01T00:00:00.000Z') }],
      validFrom: new Date('2030-06-01T12:00:00.000Z'),
      lookalike: '2030-06-01T12:00:00.000Z',
      enabled: true,
      nested: { deep: { level: 3 } },
    };
    await h.adapter.storeTenantSAMLConfig(config);
    const read = (await h.adapter.getTenantSAMLConfig(tenantId)) as typeof config;
    expect(read).toEqual(config);
    expect(read.validFrom).toBeInstanceOf(Date);
    expect(read.certificates[0]!.notAfter).toBeInstanceOf(Date);
    expect(typeof read.lookalike).toBe('string');
    expect(await h.adapter.getTenantSAMLConfig(tenant())).toBeNull();
  });

  it('seals the whole config at rest: any field may be a private key', async () => {
    const privateKey = `-----BEGIN PRIVATE KEY-----tenant-key-${randomUUID()}`;
    const tenantId = tenant();
    await h.adapter.storeTenantSAMLConfig({
      tenantId,
      spPrivateKey: privateKey,
      idp: 'https://idp.example.org/unique-marker',
    });
    const raw = await rawRows(h.adapter);
    expect(raw).toContain(tenantId);
    expect(raw).not.toContain(privateKey);
    expect(raw).not.toContain('unique-marker');
  });

  it('a config without a tenantId, or with a bad one, is a validation error and writes nothing', async () => {
    const before = await rawRows(h.adapter);
    for (const config of [
      { idp: 'x' },
      { tenantId: '' },
      { tenantId: 42 },
      { tenantId: null },
      'tenant',
      null,
      [{ tenantId: 't' }],
    ]) {
      await expect(h.adapter.storeTenantSAMLConfig(config as never)).rejects.toMatchObject({
        code: 'validation',
      });
    }
    await expect(
      h.adapter.storeTenantSAMLConfig({ tenantId: tenant(), bad: 'a\u0000b' }),
    ).rejects.toMatchObject({ code: 'validation' });
    expect(await rawRows(h.adapter)).toBe(before);
  });

  it('storing again replaces the config', async () => {
    const tenantId = tenant();
    await h.adapter.storeTenantSAMLConfig({ tenantId, a: 1, b: 2 });
    await h.adapter.storeTenantSAMLConfig({ tenantId, c: 3 });
    expect(await h.adapter.getTenantSAMLConfig(tenantId)).toEqual({ tenantId, c: 3 });
  });

  it('updates by merging keys (null or undefined removes one); tenantId may not change; missing is not_found', async () => {
    const tenantId = tenant();
    await h.adapter.storeTenantSAMLConfig({ tenantId, a: 1, b: { x: 1 }, c: 'keep' });
    const rotatedAt = new Date('2033-03-03T03:03:03.003Z');
    await h.adapter.updateTenantSAMLConfig(tenantId, { a: 2, b: null, d: undefined, rotatedAt, tenantId });
    expect(await h.adapter.getTenantSAMLConfig(tenantId)).toEqual({ tenantId, a: 2, c: 'keep', rotatedAt });
    await expect(h.adapter.updateTenantSAMLConfig(tenantId, { tenantId: tenant() })).rejects.toMatchObject({
      code: 'validation',
    });
    await expect(h.adapter.updateTenantSAMLConfig(tenantId, 'x' as never)).rejects.toMatchObject({
      code: 'validation',
    });
    await expect(h.adapter.updateTenantSAMLConfig(tenant(), { a: 1 })).rejects.toMatchObject({
      code: 'not_found',
    });
    expect(await h.adapter.getTenantSAMLConfig(tenantId)).toEqual({ tenantId, a: 2, c: 'keep', rotatedAt });
  });

  it('deletes a config; deleting a missing one does nothing', async () => {
    const tenantId = tenant();
    await h.adapter.storeTenantSAMLConfig({ tenantId });
    await h.adapter.deleteTenantSAMLConfig(tenantId);
    await h.adapter.deleteTenantSAMLConfig(tenantId);
    expect(await h.adapter.getTenantSAMLConfig(tenantId)).toBeNull();
  });
});
