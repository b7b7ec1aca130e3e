import { createHash, randomUUID } from 'node:crypto';
import { inspect } from 'node:util';
import { expect, it } from 'vitest';
import { describeAuthjs } from './support/backends.js';
import { createUser, inHours, newAccount } from './support/records.js';

// Written from @auth/core 0.41.3 adapters.d.ts: the session methods and what Auth.js reads back.
describeAuthjs('Auth.js Adapter: database sessions', (h) => {
  async function userWithSession() {
    const user = await createUser(h.adapter);
    const session = { sessionToken: randomUUID(), userId: user.id, expires: inHours(1) };
    expect(await h.adapter.createSession(session)).toEqual(session);
    return { user, session };
  }

  it('getSessionAndUser returns the session with the caller token, and its user', async () => {
    const { user, session } = await userWithSession();
    expect(await h.adapter.getSessionAndUser(session.sessionToken)).toEqual({ session, user });
    // Twice: the second read may come from the cache.
    expect(await h.adapter.getSessionAndUser(session.sessionToken)).toEqual({ session, user });
  });

  it('unknown and empty tokens find nothing', async () => {
    expect(await h.adapter.getSessionAndUser(randomUUID())).toBeNull();
    expect(await h.adapter.getSessionAndUser('')).toBeNull();
  });

  it('"sessionToken" holds the lowercase hex SHA-256 when hashing is on, the token itself otherwise', async () => {
    const { session } = await userWithSession();
    const rows = await h.opened.raw<{ sessionToken: string }>(
      `select "sessionToken" from "${h.table('sessions')}" where "sessionToken" in ($1, $2)`,
      [session.sessionToken, createHash('sha256').update(session.sessionToken).digest('hex')],
    );
    const expected = h.variant.hashSessionTokens
      ? createHash('sha256').update(session.sessionToken).digest('hex')
      : session.sessionToken;
    expect(rows).toEqual([{ sessionToken: expected }]);
  });

  it('a token looked up before its session existed is found once created (no stale miss)', async () => {
    const user = await createUser(h.adapter);
    const sessionToken = randomUUID();
    expect(await h.adapter.getSessionAndUser(sessionToken)).toBeNull();
    const session = { sessionToken, userId: user.id, expires: inHours(1) };
    await h.adapter.createSession(session);
    expect(await h.adapter.getSessionAndUser(sessionToken)).toEqual({ session, user });
  });

  it('updateSession moves the expiry and returns the session; the next read sees it', async () => {
    const { user, session } = await userWithSession();
    await h.adapter.getSessionAndUser(session.sessionToken);
    const expires = inHours(48);
    const updated = await h.adapter.updateSession({ sessionToken: session.sessionToken, expires });
    expect(updated).toEqual({ ...session, expires });
    expect(await h.adapter.getSessionAndUser(session.sessionToken)).toEqual({
      session: { ...session, expires },
      user,
    });
  });

  it('updateSession of an unknown token is null', async () => {
    expect(await h.adapter.updateSession({ sessionToken: randomUUID(), expires: inHours(1) })).toBeNull();
  });

  it('deleteSession returns the session, and the next read finds nothing', async () => {
    const { session } = await userWithSession();
    await h.adapter.getSessionAndUser(session.sessionToken);
    expect(await h.adapter.deleteSession(session.sessionToken)).toEqual(session);
    expect(await h.adapter.getSessionAndUser(session.sessionToken)).toBeNull();
    expect(await h.adapter.deleteSession(session.sessionToken)).toBeNull();
  });

  it('updateUser is seen by the next getSessionAndUser', async () => {
    const { user, session } = await userWithSession();
    await h.adapter.getSessionAndUser(session.sessionToken);
    const renamed = await h.adapter.updateUser({ id: user.id, name: 'Renamed', emailVerified: inHours(0) });
    expect(await h.adapter.getSessionAndUser(session.sessionToken)).toEqual({ session, user: renamed });
  });

  it('deleteUser ends every session of the user at once', async () => {
    const { user, session } = await userWithSession();
    const second = { sessionToken: randomUUID(), userId: user.id, expires: inHours(2) };
    await h.adapter.createSession(second);
    await h.adapter.getSessionAndUser(session.sessionToken);
    await h.adapter.getSessionAndUser(second.sessionToken);
    await h.adapter.deleteUser(user.id);
    expect(await h.adapter.getSessionAndUser(session.sessionToken)).toBeNull();
    expect(await h.adapter.getSessionAndUser(second.sessionToken)).toBeNull();
  });

  it("unlinkAccount leaves the user's sessions readable (and current)", async () => {
    const { user, session } = await userWithSession();
    const account = newAccount(user.id);
    await h.adapter.linkAccount(account);
    await h.adapter.getSessionAndUser(session.sessionToken);
    await h.adapter.unlinkAccount(account);
    expect(await h.adapter.getSessionAndUser(session.sessionToken)).toEqual({ session, user });
  });

  it('another user session stays untouched by a deleteUser', async () => {
    const first = await userWithSession();
    const other = await userWithSession();
    await h.adapter.getSessionAndUser(other.session.sessionToken);
    await h.adapter.deleteUser(first.user.id);
    expect(await h.adapter.getSessionAndUser(other.session.sessionToken)).toEqual(other);
  });

  it('a session of a missing user cannot be created', async () => {
    const missing = h.variant.tables === 'pg-adapter' ? '987654' : '0190a000-0000-7000-8000-000000000000';
    await expect(
      h.adapter.createSession({ sessionToken: randomUUID(), userId: missing, expires: inHours(1) }),
    ).rejects.toMatchObject({ code: expect.stringMatching(/^(conflict|validation|not_found)$/) });
  });

  it('a duplicate session token is a conflict whose error never carries the token', async () => {
    const { session } = await userWithSession();
    const failure = await h.adapter.createSession(session).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 'conflict' });
    const shown = [String(failure), JSON.stringify(failure), inspect(failure, { depth: 10 })].join('\n');
    expect(shown).not.toContain(session.sessionToken);
    expect(shown).not.toContain(createHash('sha256').update(session.sessionToken).digest('hex'));
  });

  it('bad session input is a validation error', async () => {
    const user = await createUser(h.adapter);
    if (h.variant.tables === 'pg-adapter' || h.variant.dialect === 'postgres') {
      await expect(
        h.adapter.createSession({ sessionToken: randomUUID(), userId: 'not-an-id', expires: inHours(1) }),
      ).rejects.toMatchObject({ code: 'validation' });
    }
    await expect(
      h.adapter.createSession({ sessionToken: '', userId: user.id, expires: inHours(1) }),
    ).rejects.toMatchObject({ code: 'validation' });
    await expect(
      h.adapter.createSession({ sessionToken: 'x', userId: user.id, expires: new Date(Number.NaN) }),
    ).rejects.toMatchObject({ code: 'validation' });
  });
});
