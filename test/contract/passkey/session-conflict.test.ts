import { randomBytes } from 'node:crypto';
import { expect, it } from 'vitest';
import { describePasskeyCache } from './cache-backends.js';

const N = 20;
const user = () => `u-${randomBytes(6).toString('hex')}`;
const crateSessionId = () => randomBytes(32).toString('base64url');

/**
 * SESSION_CONFLICT_POLICY and stale-id pruning, as the crate's `create_new_session_with_uid` does them
 * (oauth2_passkey/src/session/main/session.rs, 0.6 era: `cleanup_stale_sessions`, then allow / replace /
 * reject; user_sessions.rs: an id is stale when `cache:session:{id}` is gone). "Crate-shaped" writes below
 * are what the Rust app leaves in the shared store: a plain SET of `{"value":"[ids…]"}` under
 * `cache:user_sessions:{user}` (its read-modify-write) and sessions it stored itself.
 */
describePasskeyCache('SESSION_CONFLICT_POLICY', (h) => {
  /** What the Rust app writes for a login of its own: the session entry, then its rewritten list. */
  async function crateLogin(userId: string, listed: string[]): Promise<string> {
    const { store } = h();
    const id = crateSessionId();
    const session = { user_id: userId, csrf_token: 'c', expires_at: '2100-01-01T00:00:00Z', ttl: 600 };
    await store.set(`cache:session:${id}`, JSON.stringify({ value: JSON.stringify(session) }), 600_000);
    await crateWritesList(userId, [...listed, id]);
    return id;
  }

  async function crateWritesList(userId: string, ids: string[]): Promise<void> {
    await h().store.set(`cache:user_sessions:${userId}`, JSON.stringify({ value: JSON.stringify(ids) }));
  }

  it('allow: stale ids are pruned before the new one is added, live ones stay', async () => {
    const { sessionsWith, cache } = h();
    const u = user();
    const live = await crateLogin(u, []);
    const stale = crateSessionId(); // listed, but its session entry expired
    await crateWritesList(u, [stale, live]);
    const { sessionId } = await sessionsWith('allow').createSession(u);
    expect(await cache.getUserSessions(u)).toEqual([live, sessionId]);
  });

  it(`allow: ${N} concurrent logins all succeed and are all listed`, async () => {
    const { sessionsWith, cache } = h();
    const u = user();
    const sessions = sessionsWith('allow');
    const made = await Promise.all(Array.from({ length: N }, () => sessions.createSession(u)));
    expect((await cache.getUserSessions(u)).sort()).toEqual(made.map((m) => m.sessionId).sort());
  });

  it("reject: a live session (the Rust app's) refuses the login with a conflict; nothing is written", async () => {
    const { sessionsWith, cache } = h();
    const u = user();
    const live = await crateLogin(u, []);
    await expect(sessionsWith('reject').createSession(u)).rejects.toMatchObject({
      code: 'conflict',
      details: { policy: 'reject' },
    });
    expect(await cache.getUserSessions(u)).toEqual([live]);
  });

  it('reject: ids listed by the Rust app whose sessions are gone do not block the login', async () => {
    const { sessionsWith, cache } = h();
    const u = user();
    await crateWritesList(u, [crateSessionId(), crateSessionId()]);
    const { sessionId } = await sessionsWith('reject').createSession(u);
    expect(await cache.getUserSessions(u)).toEqual([sessionId]);
  });

  it(`reject: of ${N} concurrent logins exactly one succeeds, and only its session exists`, async () => {
    const { sessionsWith, cache } = h();
    const u = user();
    const sessions = sessionsWith('reject');
    const outcomes = await Promise.allSettled(Array.from({ length: N }, () => sessions.createSession(u)));
    const won = outcomes.filter((o) => o.status === 'fulfilled');
    const lost = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost.map((o) => (o.reason as { code?: string }).code)).toEqual(Array(N - 1).fill('conflict'));
    const winner = (won[0] as PromiseFulfilledResult<{ sessionId: string }>).value.sessionId;
    expect(await cache.getUserSessions(u)).toEqual([winner]);
    expect(await cache.pruneUserSessions(u)).toEqual([winner]);
  });

  it("replace: the user's other sessions (the Rust app's included) are deleted", async () => {
    const { sessionsWith, sessions, cache } = h();
    const u = user();
    const rust = await crateLogin(u, []);
    const node = (await sessions.createSession(u)).sessionId;
    const { sessionId } = await sessionsWith('replace').createSession(u);
    expect(await cache.getUserSessions(u)).toEqual([sessionId]);
    expect(await cache.get('session', rust)).toBeNull();
    expect(await sessions.getSession(node)).toBeNull();
    expect(await sessions.getSession(sessionId)).not.toBeNull();
  });

  it(`replace: after ${N} concurrent logins exactly one session survives, and it is the one listed`, async () => {
    const { sessionsWith, sessions, cache } = h();
    const u = user();
    const replace = sessionsWith('replace');
    const made = await Promise.all(Array.from({ length: N }, () => replace.createSession(u)));
    const alive = [];
    for (const { sessionId } of made)
      if ((await sessions.getSession(sessionId)) !== null) alive.push(sessionId);
    expect(alive).toHaveLength(1);
    expect(await cache.getUserSessions(u)).toEqual(alive);
  });

  // The race that remains (docs/passkey.md, "Sharing with the Rust app"): the crate rewrites the list from
  // what it read, without a compare-and-set, so a Node login between its read and its write is dropped.
  it('a Rust read-modify-write that read before a Node login drops that id; the session itself lives on', async () => {
    const { sessions, cache } = h();
    const u = user();
    const readByRust = await cache.getUserSessions(u); // the crate's get_user_session_ids
    const node = (await sessions.createSession(u)).sessionId;
    const rust = await crateLogin(u, readByRust); // …then its set_user_session_ids
    expect(await cache.getUserSessions(u)).toEqual([rust]);
    expect(await sessions.getSession(node)).not.toBeNull();
    // Our force-logout sees only listed ids, like the crate's: the dropped session outlives it until its TTL.
    expect(await sessions.deleteUserSessions(u)).toBe(1);
    expect(await sessions.getSession(node)).not.toBeNull();
    await sessions.deleteSession(node);
  });

  it("ids the crate's UserId::new / SessionId::new refuse are a validation error naming the rule", async () => {
    const { sessions, cache } = h();
    for (const bad of ['user:1', 'a__b', 'a..b', 'a--b', 'x'.repeat(256), '']) {
      const error = await sessions.createSession(bad).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'validation', details: { field: 'userId' } });
      expect((error as Error).message).toContain('UserId::new');
    }
    expect(await cache.getUserSessions('a__b')).toEqual([]);
    // UUIDs (what the crate generates), emails and the characters it allows pass.
    for (const good of ['0b6e9d4a-3c1f-4a8e-9f2b-7d5c1e3a9b80', 'ada@example.com', 'a.b_c-d+e']) {
      const { sessionId } = await sessions.createSession(good);
      await sessions.deleteSession(sessionId);
    }
  });
});
