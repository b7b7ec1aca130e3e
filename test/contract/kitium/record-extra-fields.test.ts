import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import type { KitiumStorageAdapter } from '../../../src/index.js';
import { describeKitium } from './backends.js';

/**
 * A consumer's extra fields on users, sessions, API keys, organisations, email verification tokens and
 * events. The fact: upstream's own memory adapter (kitium-ai/auth src/adapters/memory.ts, commit 50480ec)
 * builds each of these records as `{ id, ...data, createdAt, updatedAt }` and updates them as
 * `{ ...current, ...data, id, createdAt, updatedAt }`, so whatever else a caller passes is kept and
 * returned. Only what is unsafe is refused. Sessions and API keys are read twice: on the cached backends
 * the second read is a cache hit, and the extra fields' Dates must survive it.
 */
describeKitium('a consumer’s extra fields on the core records', (h) => {
  const mark = () => randomUUID().replaceAll('-', '');
  const at = new Date('2030-06-07T08:09:10.111Z');
  const later = new Date('2031-01-02T03:04:05.678Z');
  const extra = () => ({
    tenant: 'acme',
    seenAt: at,
    score: 42.5,
    tags: ['a', 'b'],
    nested: { n: 1, ok: true, none: null, when: at, list: [{ at }] },
    dateLike: '2030-06-07T08:09:10.111Z',
  });
  /** The update every record gets: one extra changed (a Date), one removed, one added; others stay. */
  const change = { seenAt: later, tags: undefined, added: { deep: [1, 2] } };
  const changed = () => {
    const { tags: _removed, ...rest } = extra();
    return { ...rest, seenAt: later, added: { deep: [1, 2] } };
  };

  /** Reads twice (fill, then hit where a cache is configured): both equal to `expected`. */
  async function readsBack<T>(read: () => Promise<T>, expected: T): Promise<void> {
    expect(await read()).toEqual(expected);
    expect(await read()).toEqual(expected);
  }

  it('users: kept on create, merged per field on update, Dates as Dates', async () => {
    const m = mark();
    const user = await h.adapter.createUser({ email: `x-${m}@x.io`, name: 'U', ...extra() } as never);
    expect(user).toMatchObject({ email: `x-${m}@x.io`, name: 'U', ...extra() });
    expect((user as unknown as { seenAt: Date }).seenAt).toBeInstanceOf(Date);
    expect((user as unknown as { dateLike: unknown }).dateLike).toBe('2030-06-07T08:09:10.111Z');
    await readsBack(() => h.adapter.getUser(user.id), user);
    expect(await h.adapter.getUserByEmail(`x-${m}@x.io`)).toEqual(user);
    const updated = await h.adapter.updateUser(user.id, { name: 'V', ...change } as never);
    expect(updated).toMatchObject({ name: 'V', ...changed() });
    expect(updated).not.toHaveProperty('tags');
    await readsBack(() => h.adapter.getUser(user.id), updated);
    // linkOAuthAccount rewrites the row: the extra fields stay.
    const linked = await h.adapter.linkOAuthAccount(user.id, 'google', {
      provider: 'google',
      sub: `sub-${m}`,
      linkedAt: at,
    });
    expect(linked).toMatchObject(changed());
    // Passing the whole record back changes nothing it holds.
    const again = await h.adapter.updateUser(user.id, { ...linked } as never);
    expect(again).toEqual({ ...linked, updatedAt: again.updatedAt });
  });

  it('sessions: kept on create and update, and after a cache hit', async () => {
    const session = await h.adapter.createSession({
      userId: `user-${mark()}`,
      entitlements: ['e'],
      expiresAt: new Date(Date.now() + 3_600_000),
      ...extra(),
    } as never);
    expect(session).toMatchObject(extra());
    await readsBack(() => h.adapter.getSession(session.id), session);
    const updated = await h.adapter.updateSession(session.id, { plan: 'pro', ...change } as never);
    expect(updated).toMatchObject({ id: session.id, plan: 'pro', ...changed() });
    expect(updated).not.toHaveProperty('tags');
    await readsBack(() => h.adapter.getSession(session.id), updated);
    // An update of the record's own fields alone keeps the extra fields.
    const renamed = await h.adapter.updateSession(session.id, { plan: 'team' });
    expect(renamed).toMatchObject({ plan: 'team', ...changed() });
    await readsBack(() => h.adapter.getSession(session.id), renamed);
  });

  it('API keys: kept on create, update and rotation; by id, hash, prefix and principal; after a cache hit', async () => {
    const principalId = `p-${mark()}`;
    const key = await h.adapter.createApiKey({
      principalId,
      hash: `hash-${mark()}`,
      prefix: 'ak',
      lastFour: mark().slice(0, 4),
      scopes: ['read'],
      ...extra(),
    } as never);
    expect(key).toMatchObject(extra());
    await readsBack(() => h.adapter.getApiKey(key.id), key);
    await readsBack(() => h.adapter.getApiKeyByHash(key.hash), key);
    expect(await h.adapter.getApiKeysByPrefixAndLastFour('ak', key.lastFour)).toEqual([key]);
    expect(await h.adapter.listApiKeys(principalId)).toEqual([key]);
    const updated = await h.adapter.updateApiKey(key.id, { scopes: ['write'], ...change } as never);
    expect(updated).toMatchObject({ scopes: ['write'], ...changed() });
    await readsBack(() => h.adapter.getApiKeyByHash(key.hash), updated);
    const issued = await h.adapter.createApiKeyWithSecret(principalId, ['read']);
    expect(await h.adapter.verifyApiKeySecret(issued.key)).toEqual(issued.record);
  });

  it('organisations: kept on create and update', async () => {
    const org = await h.adapter.createOrganization({
      name: 'Acme',
      plan: 'pro',
      seats: 3,
      members: [],
      ...extra(),
    } as never);
    expect(org).toMatchObject(extra());
    await readsBack(() => h.adapter.getOrganization(org.id), org);
    const updated = await h.adapter.updateOrganization(org.id, { seats: 4, ...change } as never);
    expect(updated).toMatchObject({ seats: 4, ...changed() });
    expect(updated).not.toHaveProperty('tags');
    await readsBack(() => h.adapter.getOrganization(org.id), updated);
  });

  it('email verification tokens: kept on create and when marked used; the code stays sealed', async () => {
    const m = mark();
    const code = `code${m}`;
    const token = await h.adapter.createEmailVerificationToken({
      email: `t-${m}@x.io`,
      code,
      codeHash: `hash-${m}`,
      type: 'verify_email',
      expiresAt: new Date(Date.now() + 600_000),
      ...extra(),
    } as never);
    expect(token).toMatchObject(extra());
    await readsBack(() => h.adapter.getEmailVerificationTokenById(token.id), token);
    expect(await h.adapter.getEmailVerificationTokens(`t-${m}@x.io`)).toEqual([token]);
    const used = await h.adapter.markEmailVerificationTokenAsUsed(token.id);
    expect(used).toMatchObject({ ...extra(), usedAt: expect.any(Date) });
    // The code is stored as a keyed digest (email-token-repo.ts), extra fields or not.
    expect(await rawRowsOf(h.adapter, 'email_verification_tokens')).not.toContain(code);
  });

  it('events: a consumer’s extra fields are kept with the event', async () => {
    const principalId = `p-${mark()}`;
    await h.adapter.emitEvent({ type: 'login', principalId, data: { ip: '1' }, ...extra() } as never);
    const rows = await h.adapter.sqlStore.db
      .selectFrom('auth_events')
      .select('extra')
      .where('principal_id', '=', principalId)
      .execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]?.extra).toContain('acme');
  });

  it('the store’s own fields are never extra fields: id, createdAt and updatedAt are the store’s', async () => {
    const epoch = new Date(0);
    const user = await h.adapter.createUser({
      id: 'mine',
      createdAt: epoch,
      updatedAt: epoch,
    } as never);
    expect(user.id).not.toBe('mine');
    expect(user.createdAt.getTime()).toBeGreaterThan(0);
    const session = await h.adapter.createSession({
      id: 'chosen-token',
      userId: 'u',
      entitlements: [],
      expiresAt: new Date(Date.now() + 60_000),
      createdAt: epoch,
    } as never);
    expect(session.id).not.toBe('chosen-token');
    expect(await h.adapter.getSession('chosen-token')).toBeNull();
    const updated = await h.adapter.updateSession(session.id, { id: 'other', updatedAt: epoch } as never);
    expect(updated.id).toBe(session.id);
    expect(updated.updatedAt.getTime()).toBeGreaterThan(0);
    // A user's oauth links are linkOAuthAccount's alone: refused on create, ignored in an update.
    await expect(
      h.adapter.createUser({ oauth: { google: { provider: 'google', sub: 's', linkedAt: epoch } } } as never),
    ).rejects.toMatchObject({ code: 'validation', details: { field: 'oauth' } });
    const kept = await h.adapter.updateUser(user.id, {
      name: 'n',
      oauth: { google: { provider: 'google', sub: 's', linkedAt: epoch } },
    } as never);
    expect(kept).toMatchObject({ name: 'n' });
    expect(kept).not.toHaveProperty('oauth');
    expect(await h.adapter.getUserByOAuth('google', 's')).toBeNull();
  });

  it('refuses unsafe extra fields with a validation error and writes nothing', async () => {
    const m = mark();
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const bad: Record<string, unknown>[] = [
      JSON.parse('{"__proto__": {"admin": true}}') as Record<string, unknown>,
      { constructor: 'x' },
      { prototype: 'x' },
      { run: () => 1 },
      { loop: cyclic },
      { big: 'x'.repeat(70_000) },
      { when: new Date('invalid') },
      { n: Number.NaN },
      { [`k${'y'.repeat(300)}`]: 1 },
      { 'nul\u0000key': 1 },
      { nested: { deeper: new Map() } },
    ];
    const email = `bad-${m}@x.io`;
    const principalId = `p-${m}`;
    for (const fields of bad) {
      const refused = { code: 'validation' };
      await expect(h.adapter.createUser({ email, ...fields } as never)).rejects.toMatchObject(refused);
      await expect(
        h.adapter.createSession({
          userId: principalId,
          entitlements: [],
          expiresAt: new Date(Date.now() + 60_000),
          ...fields,
        } as never),
      ).rejects.toMatchObject(refused);
      await expect(
        h.adapter.createApiKey({
          principalId,
          hash: `h-${m}`,
          prefix: 'x',
          lastFour: '0000',
          scopes: [],
          ...fields,
        } as never),
      ).rejects.toMatchObject(refused);
      await expect(
        h.adapter.createOrganization({ name: m, plan: 'p', seats: 1, members: [], ...fields } as never),
      ).rejects.toMatchObject(refused);
      await expect(
        h.adapter.createEmailVerificationToken({
          email,
          code: 'c',
          codeHash: 'h',
          type: 'verify_email',
          expiresAt: new Date(Date.now() + 60_000),
          ...fields,
        } as never),
      ).rejects.toMatchObject(refused);
      await expect(
        h.adapter.emitEvent({ type: 't', principalId, data: {}, ...fields } as never),
      ).rejects.toMatchObject(refused);
    }
    expect(await h.adapter.getUserByEmail(email)).toBeNull();
    expect(await h.adapter.listApiKeys(principalId)).toEqual([]);
    expect(await h.adapter.getEmailVerificationTokens(email)).toEqual([]);
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });

  it('an unsafe field in an update is refused and nothing of the update is written', async () => {
    const user = await h.adapter.createUser({ name: 'Before', keep: 1 } as never);
    const session = await h.adapter.createSession({
      userId: user.id,
      entitlements: [],
      expiresAt: new Date(Date.now() + 60_000),
      keep: 1,
    } as never);
    const org = await h.adapter.createOrganization({ name: 'O', plan: 'p', seats: 1, members: [] });
    const key = await h.adapter.createApiKey({
      principalId: user.id,
      hash: `h-${mark()}`,
      prefix: 'x',
      lastFour: '0000',
      scopes: [],
    });
    const unsafe = (own: Record<string, unknown>) =>
      ({ ...own, added: 'x', big: 'y'.repeat(70_000) }) as never;
    const refused = { code: 'validation' };
    await expect(h.adapter.updateUser(user.id, unsafe({ name: 'After' }))).rejects.toMatchObject(refused);
    await expect(h.adapter.updateSession(session.id, unsafe({ plan: 'p' }))).rejects.toMatchObject(refused);
    await expect(h.adapter.updateOrganization(org.id, unsafe({ seats: 9 }))).rejects.toMatchObject(refused);
    await expect(h.adapter.updateApiKey(key.id, unsafe({ scopes: ['w'] }))).rejects.toMatchObject(refused);
    expect(await h.adapter.getUser(user.id)).toEqual(user);
    expect(await h.adapter.getSession(session.id)).toEqual(session);
    expect(await h.adapter.getOrganization(org.id)).toEqual(org);
    expect(await h.adapter.getApiKey(key.id)).toEqual(key);
    // Extra fields that fit alone but not together with the stored ones: refused as well.
    const half = 'z'.repeat(40_000);
    await h.adapter.updateUser(user.id, { first: half } as never);
    await expect(h.adapter.updateUser(user.id, { second: half } as never)).rejects.toMatchObject(refused);
    expect(await h.adapter.getUser(user.id)).not.toHaveProperty('second');
  });

  it('concurrent updates of different extra fields of one session lose none of them', async () => {
    const session = await h.adapter.createSession({
      userId: `user-${mark()}`,
      entitlements: [],
      expiresAt: new Date(Date.now() + 60_000),
    });
    await Promise.all(
      Array.from({ length: 8 }, (_, i) => h.adapter.updateSession(session.id, { [`field${i}`]: i } as never)),
    );
    const stored = (await h.adapter.getSession(session.id)) as unknown as Record<string, unknown>;
    for (let i = 0; i < 8; i++) expect(stored[`field${i}`]).toBe(i);
  });
});

async function rawRowsOf(adapter: KitiumStorageAdapter, table: 'email_verification_tokens'): Promise<string> {
  return JSON.stringify(await adapter.sqlStore.db.selectFrom(table).selectAll().execute());
}
