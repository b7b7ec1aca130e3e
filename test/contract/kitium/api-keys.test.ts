import { createHash } from 'node:crypto';
import { expect, it } from 'vitest';
import { describeKitium } from './backends.js';

const day = 86_400_000;

describeKitium('api keys', (h) => {
  const base = (principalId: string) => ({
    principalId,
    hash: createHash('sha256').update(`${principalId}-${Math.random()}`).digest('hex'),
    prefix: 'api',
    lastFour: 'abcd',
    scopes: ['read', 'write'],
    updatedAt: new Date(),
  });

  it('creates, reads by id and by hash, with Dates and optional fields absent', async () => {
    const created = await h.adapter.createApiKey({
      ...base('p1'),
      metadata: { env: 'prod' },
      expiresAt: new Date(Date.now() + day),
    });
    expect(created.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.createdAt).toBeInstanceOf(Date);
    expect(created.expiresAt).toBeInstanceOf(Date);
    expect(await h.adapter.getApiKey(created.id)).toEqual(created);
    expect(await h.adapter.getApiKeyByHash(created.hash)).toEqual(created);
    const bare = await h.adapter.createApiKey(base('p1'));
    expect(bare).not.toHaveProperty('metadata');
    expect(bare).not.toHaveProperty('expiresAt');
  });

  it('returns null for missing ids and hashes, and never re-hashes a given hash', async () => {
    const created = await h.adapter.createApiKey(base('p-null'));
    expect(await h.adapter.getApiKey('missing')).toBeNull();
    expect(
      await h.adapter.getApiKeyByHash(createHash('sha256').update(created.hash).digest('hex')),
    ).toBeNull();
  });

  it('finds by prefix and last four, newest first', async () => {
    const a = await h.adapter.createApiKey({ ...base('p2'), prefix: 'svc', lastFour: 'zz99' });
    const b = await h.adapter.createApiKey({ ...base('p3'), prefix: 'svc', lastFour: 'zz99' });
    await h.adapter.createApiKey({ ...base('p3'), prefix: 'svc', lastFour: 'yy99' });
    const found = await h.adapter.getApiKeysByPrefixAndLastFour('svc', 'zz99');
    expect(found.map((k) => k.id)).toEqual([b.id, a.id]);
  });

  it('lists a principal’s keys newest first and only theirs', async () => {
    const first = await h.adapter.createApiKey(base('owner-list'));
    const second = await h.adapter.createApiKey(base('owner-list'));
    await h.adapter.createApiKey(base('someone-else'));
    expect((await h.adapter.listApiKeys('owner-list')).map((k) => k.id)).toEqual([second.id, first.id]);
  });

  it('updates fields, sets updatedAt itself, ignores id/createdAt, clears optional fields given undefined', async () => {
    const created = await h.adapter.createApiKey({ ...base('p4'), expiresAt: new Date(Date.now() + day) });
    await new Promise((r) => setTimeout(r, 5));
    const updated = await h.adapter.updateApiKey(created.id, {
      scopes: ['admin'],
      id: 'hijack',
      createdAt: new Date(0),
      updatedAt: new Date(0),
      expiresAt: undefined,
    });
    expect(updated.id).toBe(created.id);
    expect(updated.scopes).toEqual(['admin']);
    expect(updated.createdAt).toEqual(created.createdAt);
    expect(updated.updatedAt.getTime()).toBeGreaterThan(created.updatedAt.getTime());
    expect(updated).not.toHaveProperty('expiresAt');
    expect(await h.adapter.getApiKey('hijack')).toBeNull();
  });

  it('accepts a full record back as an update object', async () => {
    const created = await h.adapter.createApiKey(base('p-full'));
    const updated = await h.adapter.updateApiKey(created.id, { ...created, scopes: ['x'] });
    expect(updated.scopes).toEqual(['x']);
  });

  it('rejects unsafe keys in an update and writes nothing; a SQL-shaped key is plain data', async () => {
    const created = await h.adapter.createApiKey(base('p5'));
    await expect(
      h.adapter.updateApiKey(created.id, JSON.parse('{"scopes": ["x"], "__proto__": {"admin": true}}')),
    ).rejects.toMatchObject({
      code: 'validation',
    });
    expect((await h.adapter.getApiKey(created.id))?.scopes).toEqual(created.scopes);
    // Any other key is an extra field (kept as data, as upstream's memory adapter does), never SQL.
    const updated = await h.adapter.updateApiKey(created.id, {
      scopes: ['x'],
      'principal_id = 1; --': [],
    } as never);
    expect(updated).toMatchObject({
      principalId: created.principalId,
      scopes: ['x'],
      'principal_id = 1; --': [],
    });
    expect(await h.adapter.getApiKey(created.id)).toEqual(updated);
  });

  it('throws not_found updating a missing key; deleting a missing key is a no-op', async () => {
    await expect(h.adapter.updateApiKey('nope', { scopes: [] })).rejects.toMatchObject({ code: 'not_found' });
    await expect(h.adapter.deleteApiKey('nope')).resolves.toBeUndefined();
  });

  it('deletes', async () => {
    const created = await h.adapter.createApiKey(base('p6'));
    await h.adapter.deleteApiKey(created.id);
    expect(await h.adapter.getApiKey(created.id)).toBeNull();
  });

  it('a duplicate hash is a conflict', async () => {
    const created = await h.adapter.createApiKey(base('p7'));
    await expect(h.adapter.createApiKey({ ...base('p8'), hash: created.hash })).rejects.toMatchObject({
      code: 'conflict',
    });
  });

  it('issues a secret in upstream format that verifies, stores only its SHA-256', async () => {
    const { record, key } = await h.adapter.createApiKeyWithSecret('svc-1', ['read']);
    expect(key).toMatch(/^api_[0-9a-f]{64}$/);
    expect(record.hash).toBe(createHash('sha256').update(key).digest('hex'));
    expect(record.lastFour).toBe(key.slice(-4));
    expect(record.prefix).toBe('api');
    expect(JSON.stringify(record)).not.toContain(key);
    expect((await h.adapter.verifyApiKeySecret(key))?.id).toBe(record.id);
    expect(
      await h.adapter.verifyApiKeySecret(`${key.slice(0, -1)}${key.endsWith('0') ? '1' : '0'}`),
    ).toBeNull();
    expect(await h.adapter.verifyApiKeySecret('')).toBeNull();
    expect(
      (await h.adapter.getApiKeysByPrefixAndLastFour('api', record.lastFour)).map((k) => k.id),
    ).toContain(record.id);
  });

  it('verifies keys issued by upstream (sha256 of the whole key)', async () => {
    const key = `live_${'ab'.repeat(32)}`;
    await h.adapter.createApiKey({
      principalId: 'legacy',
      hash: createHash('sha256').update(key).digest('hex'),
      prefix: 'live',
      lastFour: key.slice(-4),
      scopes: [],
      updatedAt: new Date(),
    });
    expect((await h.adapter.verifyApiKeySecret(key))?.principalId).toBe('legacy');
  });

  it('does not verify an expired key', async () => {
    const { record, key } = await h.adapter.createApiKeyWithSecret('svc-exp', []);
    await h.adapter.updateApiKey(record.id, { expiresAt: new Date(Date.now() - 1000) });
    expect(await h.adapter.verifyApiKeySecret(key)).toBeNull();
  });

  it('rotates: the new secret verifies, the old one stops at once, the id and scopes stay', async () => {
    const { record, key } = await h.adapter.createApiKeyWithSecret('svc-rot', ['a'], 'rk');
    const rotated = await h.adapter.rotateApiKey(record.id);
    expect(rotated.key).toMatch(/^rk_[0-9a-f]{64}$/);
    expect(rotated.record.id).toBe(record.id);
    expect(rotated.record.scopes).toEqual(['a']);
    expect(await h.adapter.verifyApiKeySecret(key)).toBeNull();
    expect((await h.adapter.verifyApiKeySecret(rotated.key))?.id).toBe(record.id);
    await expect(h.adapter.rotateApiKey('missing')).rejects.toMatchObject({ code: 'not_found' });
  });
});
