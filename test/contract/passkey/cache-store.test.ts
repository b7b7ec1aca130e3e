import { randomBytes } from 'node:crypto';
import { expect, it } from 'vitest';
import { CRATE_CACHE_TTL_SECONDS } from '../../../src/app/passkey/cache-keys.js';
import { describePasskeyCache } from './cache-backends.js';

const key = () => randomBytes(8).toString('hex');

describePasskeyCache('oauth2-passkey cache store', (h) => {
  it('writes `cache:{prefix}:{key}` holding exactly {"value":"<string>"}', async () => {
    const { cache, store } = h();
    const k = key();
    const inner = JSON.stringify({
      token: 't',
      expires_at: '2026-05-13T04:01:00Z',
      user_agent: null,
      ttl: 60,
    });
    await cache.put('csrf', k, inner);
    expect(await store.get(`cache:csrf:${k}`)).toBe(JSON.stringify({ value: inner }));
    expect(JSON.parse((await store.get(`cache:csrf:${k}`))!)).toEqual({ value: inner });
    expect(await cache.get('csrf', k)).toBe(inner);
    expect(await cache.get('csrf', key())).toBeNull();
  });

  it('reads entries written by the crate, including the pre-0.6 expires_at field', async () => {
    const { cache, store } = h();
    const k = key();
    await store.set(
      `cache:nonce:${k}`,
      '{"value":"{\\"token\\":\\"n\\"}","expires_at":"2100-01-01T00:00:00Z"}',
    );
    expect(await cache.get('nonce', k)).toBe('{"token":"n"}');
    await store.set(`cache:nonce:${k}`, '{"expires_at":"2100-01-01T00:00:00Z"}');
    await expect(cache.get('nonce', k)).rejects.toMatchObject({ code: 'integrity' });
    await store.set(`cache:nonce:${k}`, 'not json');
    await expect(cache.take('nonce', k)).rejects.toMatchObject({ code: 'integrity' });
  });

  // TTL 0 as the crate's stores: its Redis put_with_ttl sends SET then EXPIRE 0, which deletes the key
  // (oauth2-passkey 0.6.0 src/storage/cache_store/redis.rs); its memory store reads 0 as "no expiration"
  // (0.6.1 src/storage/cache_store/memory.rs `compute_expires_at`).
  it('sets the TTL with the value; TTL 0 deletes on Redis and keeps forever in memory, as the crate', async () => {
    const { cache, pttl, clock, kind } = h();
    const [a, b] = [key(), key()];
    await cache.putWithTtl('pkce', a, 'verifier', 60);
    await cache.putWithTtl('pkce', b, 'forever', 0);
    if (kind === 'redis') {
      const remaining = (await pttl(`cache:pkce:${a}`))!;
      expect(remaining).toBeGreaterThan(0);
      expect(remaining).toBeLessThanOrEqual(60_000);
      expect(await pttl(`cache:pkce:${b}`)).toBe(-2);
      expect(await cache.get('pkce', b)).toBeNull();
    } else {
      clock.advance(60_001);
      expect(await cache.get('pkce', a)).toBeNull();
      expect(await cache.get('pkce', b)).toBe('forever');
    }
    await expect(cache.putWithTtl('pkce', a, 'x', -1)).rejects.toMatchObject({ code: 'validation' });
    await expect(cache.putWithTtl('pkce', a, 'x', 1.5)).rejects.toMatchObject({ code: 'validation' });
  });

  it('putIfNotExists stores once; an auto key is 43 base64url characters', async () => {
    const { cache, pttl, kind } = h();
    const k = key();
    expect(await cache.putIfNotExists('registration', k, 'first', 60)).toBe(true);
    expect(await cache.putIfNotExists('registration', k, 'second', 60)).toBe(false);
    expect(await cache.get('registration', k)).toBe('first');
    const generated = await cache.putWithGeneratedKey('mode', 'popup', CRATE_CACHE_TTL_SECONDS.mode);
    expect(generated).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await cache.get('mode', generated)).toBe('popup');
    if (kind === 'redis') expect(await pttl(`cache:registration:${k}`)).toBeGreaterThan(0);
  });

  it('take returns a single-use entry once; remove deletes', async () => {
    const { cache } = h();
    const k = key();
    await cache.putWithTtl('authentication', k, 'challenge', 60);
    expect(await cache.take('authentication', k)).toBe('challenge');
    expect(await cache.take('authentication', k)).toBeNull();
    await cache.put('jwks', k, '{}');
    await cache.remove('jwks', k);
    expect(await cache.get('jwks', k)).toBeNull();
  });

  it('refuses prefixes and keys the crate refuses', async () => {
    const { cache } = h();
    await expect(cache.put('session', 'a b', 'v')).rejects.toMatchObject({ code: 'validation' });
    await expect(cache.put('ses\tsion', 'k', 'v')).rejects.toMatchObject({ code: 'validation' });
    await expect(cache.put('session', 'k'.repeat(251), 'v')).rejects.toMatchObject({ code: 'validation' });
    await expect(cache.put('session', 'é'.repeat(126), 'v')).rejects.toMatchObject({ code: 'validation' });
    await expect(cache.put('session', 'FLUSHALL', 'v')).rejects.toMatchObject({ code: 'validation' });
    await expect(cache.put('set', 'k', 'v')).rejects.toMatchObject({ code: 'validation' });
    await expect(cache.put('session', 'sync', 'v')).rejects.toMatchObject({ code: 'validation' });
    // Only the crate's 13 words, and only as a whole part: other command names and keys that merely
    // contain one are keys the crate writes and reads.
    for (const allowed of ['PING', 'keys', 'Settings', 'xDELx']) {
      await cache.put('session', allowed, 'v');
      expect(await cache.get('session', allowed)).toBe('v');
      await cache.remove('session', allowed);
    }
    await cache.put('', '', 'empty parts are allowed');
    expect(await cache.get('', '')).toBe('empty parts are allowed');
    await cache.remove('', '');
  });

  it('user_sessions: a JSON array of ids with a 30-day TTL refreshed on write, removed when empty', async () => {
    const { cache, store, pttl, kind } = h();
    const user = key();
    expect(await cache.addUserSession(user, 's1')).toEqual(['s1']);
    expect(await cache.addUserSession(user, 's2')).toEqual(['s1', 's2']);
    expect(await cache.addUserSession(user, 's1')).toEqual(['s1', 's2']);
    expect(await store.get(`cache:user_sessions:${user}`)).toBe(JSON.stringify({ value: '["s1","s2"]' }));
    if (kind === 'redis') {
      const remaining = (await pttl(`cache:user_sessions:${user}`))!;
      expect(remaining).toBeGreaterThan(2_592_000_000 - 600_000);
      expect(remaining).toBeLessThanOrEqual(2_592_000_000);
    }
    expect(await cache.removeUserSessions(user, 's1')).toEqual(['s2']);
    expect(await cache.removeUserSessions(user, 's2')).toEqual([]);
    expect(await store.get(`cache:user_sessions:${user}`)).toBeNull();
    expect(await cache.getUserSessions(user)).toEqual([]);
  });

  it('prunes ids whose session entry is gone', async () => {
    const { cache } = h();
    const user = key();
    const live = key();
    await cache.putWithTtl('session', live, '{}', 600);
    await cache.addUserSession(user, live);
    await cache.addUserSession(user, 'long-gone');
    expect(await cache.pruneUserSessions(user)).toEqual([live]);
  });

  it("sessions: stored in the crate's shape, listed in user_sessions, rejected past expires_at, deleted from both", async () => {
    const { sessions, cache, clock, store } = h();
    const user = key();
    const { sessionId, session } = await sessions.createSession(user, { ttlSeconds: 600 });
    expect(sessionId).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const stored = JSON.parse(JSON.parse((await store.get(`cache:session:${sessionId}`))!).value as string);
    expect(stored).toEqual({
      user_id: user,
      csrf_token: session.csrfToken,
      expires_at: session.expiresAt.toISOString().replace('.000Z', 'Z'),
      ttl: 600,
    });
    expect(await cache.getUserSessions(user)).toEqual([sessionId]);
    expect(await sessions.getSession(sessionId)).toEqual(session);
    const second = await sessions.createSession(user, { ttlSeconds: 600 });
    await sessions.deleteSession(sessionId);
    expect(await sessions.getSession(sessionId)).toBeNull();
    expect(await cache.getUserSessions(user)).toEqual([second.sessionId]);
    // The crate also refuses a session whose expires_at has passed, whatever the cache TTL says.
    clock.advance(601_000);
    expect(await sessions.getSession(second.sessionId)).toBeNull();
    expect(await sessions.deleteUserSessions(user)).toBe(1);
    expect(await cache.getUserSessions(user)).toEqual([]);
  });

  // SESSION_COOKIE_MAX_AGE=0: the crate stores the session through store_cache_auto → put_if_not_exists, which
  // sends EXPIRE only when ttl > 0 (0.6.0 redis.rs), so the key stays without a TTL, and expires_at = now.
  it('a session TTL of 0 is stored without expiry, expires_at = now, as the crate does', async () => {
    const { sessions, cache, pttl, kind } = h();
    const user = key();
    const { sessionId, session } = await sessions.createSession(user, { ttlSeconds: 0 });
    expect(session.ttl).toBe(0);
    expect(await cache.getUserSessions(user)).toEqual([sessionId]);
    if (kind === 'redis') expect(await pttl(`cache:session:${sessionId}`)).toBe(-1);
    expect(JSON.parse((await cache.get('session', sessionId))!)).toMatchObject({ user_id: user, ttl: 0 });
    await expect(sessions.createSession(user, { ttlSeconds: -1 })).rejects.toMatchObject({
      code: 'validation',
    });
    await sessions.deleteUserSessions(user);
  });
});
