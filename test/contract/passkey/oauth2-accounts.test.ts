import { expect, it } from 'vitest';
import { describePasskeyData, sql } from './backends.js';

describePasskeyData('oauth2-passkey OAuth2 accounts', (h) => {
  const account = (userId: string, providerUserId: string) => ({
    userId,
    provider: 'google',
    providerUserId,
    name: 'Ada',
    email: 'ada@x.io',
    picture: 'https://x.io/a.png',
    metadata: { locale: 'en', groups: ['a'] },
  });

  it('inserts a new link with a generated UUID v4 id and both timestamps set', async () => {
    const { data } = h();
    const user = await data.upsertUser({ account: 'ada@x.io', label: 'Ada' });
    const linked = await data.upsertOAuth2Account(account(user.id, 'g-ada'));
    expect(linked).toMatchObject({
      userId: user.id,
      provider: 'google',
      providerUserId: 'g-ada',
      picture: 'https://x.io/a.png',
    });
    expect(linked.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(linked.metadata).toEqual({ locale: 'en', groups: ['a'] });
    expect(linked.createdAt.getTime()).toBe(linked.updatedAt.getTime());
    expect(await data.getOAuth2Account('google', 'g-ada')).toEqual(linked);
  });

  it('an existing link gets name, email, picture and metadata; id, user_id and created_at stay', async () => {
    const { data } = h();
    const owner = await data.upsertUser({ account: 'o', label: 'O' });
    const intruder = await data.upsertUser({ account: 'i', label: 'I' });
    const first = await data.upsertOAuth2Account({ ...account(owner.id, 'g-keep'), id: 'fixed-id' });
    const second = await data.upsertOAuth2Account({
      ...account(intruder.id, 'g-keep'),
      id: 'another-id',
      name: 'Ada L.',
      email: 'ada@y.io',
      picture: null,
      metadata: null,
    });
    expect(second).toMatchObject({
      id: 'fixed-id',
      userId: owner.id,
      name: 'Ada L.',
      email: 'ada@y.io',
      picture: null,
      metadata: null,
    });
    expect(second.sequenceNumber).toBe(first.sequenceNumber);
    expect(second.createdAt.getTime()).toBe(first.createdAt.getTime());
  });

  it('lists and deletes by any one field', async () => {
    const { data } = h();
    const user = await data.upsertUser({ account: 'multi', label: 'M' });
    const a = await data.upsertOAuth2Account({ ...account(user.id, 'm-1'), email: 'm@x.io' });
    const b = await data.upsertOAuth2Account({
      ...account(user.id, 'm-2'),
      provider: 'line',
      email: 'm@x.io',
    });
    expect((await data.getOAuth2AccountsBy({ userId: user.id })).map((x) => x.id)).toEqual([a.id, b.id]);
    expect((await data.getOAuth2AccountsBy({ id: b.id })).map((x) => x.provider)).toEqual(['line']);
    expect((await data.getOAuth2AccountsBy({ providerUserId: 'm-1' })).map((x) => x.id)).toEqual([a.id]);
    expect((await data.getOAuth2AccountsBy({ email: 'm@x.io' })).length).toBe(2);
    expect((await data.getOAuth2AccountsBy({ provider: 'line' })).map((x) => x.id)).toContain(b.id);
    expect(await data.deleteOAuth2AccountsBy({ providerUserId: 'm-2' })).toBe(1);
    expect(await data.deleteOAuth2AccountsBy({ userId: user.id })).toBe(1);
    expect(await data.getOAuth2AccountsBy({ userId: user.id })).toEqual([]);
  });

  it('keeps any JSON value as metadata, in the crate encoding (JSON text on SQLite, jsonb on PostgreSQL)', async () => {
    const { data, dialect, raw, sql: passkeySql } = h();
    const user = await data.upsertUser({ account: 'json', label: 'J' });
    for (const [index, metadata] of [
      null,
      'plain',
      42,
      [1, 'two'],
      {},
      { nested: { deep: true } },
    ].entries()) {
      const saved = await data.upsertOAuth2Account({ ...account(user.id, `j-${index}`), metadata });
      expect(saved.metadata).toEqual(metadata);
      expect((await data.getOAuth2Account('google', `j-${index}`))?.metadata).toEqual(metadata);
    }
    const [row] = await raw<{ metadata: unknown }>(
      sql`select metadata from ${sql.table(passkeySql.names.oauth2Accounts.table)} where provider_user_id = ${'j-5'}`,
    );
    expect(row!.metadata).toEqual(
      dialect === 'sqlite' ? '{"nested":{"deep":true}}' : { nested: { deep: true } },
    );
    const undefinedMetadata = await data.upsertOAuth2Account({
      ...account(user.id, 'j-undef'),
      metadata: undefined,
    });
    expect(undefinedMetadata.metadata).toBeNull();
  });

  it('refuses a link to a missing user (foreign key) and a search on no or two fields', async () => {
    const { data } = h();
    await expect(data.upsertOAuth2Account(account('no-such-user', 'orphan'))).rejects.toMatchObject({
      code: 'not_found',
    });
    await expect(data.upsertOAuth2Account({ ...account('', 'x') })).rejects.toMatchObject({
      code: 'validation',
    });
    await expect(data.getOAuth2AccountsBy({} as never)).rejects.toMatchObject({ code: 'validation' });
    await expect(data.getOAuth2AccountsBy({ id: 'a', email: 'b' } as never)).rejects.toMatchObject({
      code: 'validation',
    });
  });
});
