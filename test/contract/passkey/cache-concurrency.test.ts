import { randomBytes } from 'node:crypto';
import { expect, it } from 'vitest';
import { describePasskeyCache } from './cache-backends.js';

const N = 50;

// Real concurrent calls; on Redis they interleave on the server (the crate's own read-modify-write would lose ids).
describePasskeyCache('oauth2-passkey cache under concurrent calls', (h) => {
  it(`${N} concurrent takes of one challenge: exactly one gets it`, async () => {
    const { cache } = h();
    const key = randomBytes(8).toString('hex');
    await cache.putWithTtl('registration', key, 'challenge', 60);
    const results = await Promise.all(Array.from({ length: N }, () => cache.take('registration', key)));
    expect(results.filter((value) => value === 'challenge')).toHaveLength(1);
    expect(results.filter((value) => value === null)).toHaveLength(N - 1);
  });

  it(`${N} concurrent logins of one user: every session id is kept in user_sessions`, async () => {
    const { cache } = h();
    const user = randomBytes(8).toString('hex');
    const ids = Array.from({ length: N }, (_, i) => `session-${i}`);
    await Promise.all(ids.map((id) => cache.addUserSession(user, id)));
    expect((await cache.getUserSessions(user)).sort()).toEqual([...ids].sort());
  });

  it('concurrent logins and logouts: exactly the ids never logged out remain', async () => {
    const { cache } = h();
    const user = randomBytes(8).toString('hex');
    const ids = Array.from({ length: N }, (_, i) => `s-${i}`);
    await Promise.all(ids.slice(0, 25).map((id) => cache.addUserSession(user, id)));
    await Promise.all([
      ...ids.slice(25).map((id) => cache.addUserSession(user, id)),
      ...ids.slice(0, 10).map((id) => cache.removeUserSessions(user, id)),
    ]);
    expect((await cache.getUserSessions(user)).sort()).toEqual(ids.slice(10).sort());
  });
});
