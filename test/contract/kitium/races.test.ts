import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import { describeKitium } from './backends.js';

const N = 50;

function settle<T>(calls: Promise<T>[]) {
  return Promise.allSettled(calls).then((results) => ({
    ok: results
      .filter((r): r is PromiseFulfilledResult<Awaited<T>> => r.status === 'fulfilled')
      .map((r) => r.value),
    errors: results
      .filter((r): r is PromiseRejectedResult => r.status === 'rejected')
      .map((r) => r.reason as { code?: string }),
  }));
}

// On PostgreSQL these are truly concurrent (a pool of 20 connections); SQLite serialises them.
describeKitium('races under real concurrency', (h) => {
  it(`${N} concurrent createUser with case variants of one email → exactly one user`, async () => {
    const local = `race-${randomUUID()}`;
    const variants = Array.from({ length: N }, (_, i) => {
      const mixed = [...`${local}@example.com`]
        .map((c, j) => ((i >> (j % 6)) & 1 ? c.toUpperCase() : c))
        .join('');
      return i % 3 === 0 ? ` ${mixed} ` : mixed;
    });
    const { ok, errors } = await settle(variants.map((email) => h.adapter.createUser({ email })));
    expect(ok).toHaveLength(1);
    expect(errors).toHaveLength(N - 1);
    expect(errors.every((e) => e.code === 'conflict')).toBe(true);
    expect((await h.adapter.getUserByEmail(`${local}@EXAMPLE.com`))?.id).toBe(ok[0]!.id);
  });

  it(`${N} concurrent markEmailVerificationTokenAsUsed → exactly one success`, async () => {
    const token = await h.adapter.createEmailVerificationToken({
      email: 'race@x.io',
      code: '1',
      codeHash: 'h',
      type: 'login_link',
      expiresAt: new Date(Date.now() + 60_000),
      createdAt: new Date(),
    });
    const { ok, errors } = await settle(
      Array.from({ length: N }, () => h.adapter.markEmailVerificationTokenAsUsed(token.id)),
    );
    expect(ok).toHaveLength(1);
    expect(errors.map((e) => e.code)).toEqual(Array(N - 1).fill('conflict'));
  });

  it(`${N} concurrent incrementEmailVerificationTokenAttempts → count ${N}`, async () => {
    const token = await h.adapter.createEmailVerificationToken({
      email: 'count@x.io',
      code: '1',
      codeHash: 'h',
      type: 'verify_email',
      expiresAt: new Date(Date.now() + 60_000),
      createdAt: new Date(),
    });
    const { ok, errors } = await settle(
      Array.from({ length: N }, () => h.adapter.incrementEmailVerificationTokenAttempts(token.id)),
    );
    expect(errors).toEqual([]);
    expect([...ok].sort((a, b) => a - b)).toEqual(Array.from({ length: N }, (_, i) => i + 1));
    expect(await h.adapter.getEmailVerificationTokenAttempts(token.id)).toBe(N);
  });

  it('the same (provider, sub) linked concurrently to two users → one link, one conflict', async () => {
    for (let round = 0; round < 10; round++) {
      const [a, b] = await Promise.all([h.adapter.createUser({}), h.adapter.createUser({})]);
      const sub = randomUUID();
      const { ok, errors } = await settle([
        h.adapter.linkOAuthAccount(a.id, 'google', { provider: 'google', sub, linkedAt: new Date() }),
        h.adapter.linkOAuthAccount(b.id, 'google', { provider: 'google', sub, linkedAt: new Date() }),
      ]);
      expect(ok).toHaveLength(1);
      expect(errors.map((e) => e.code)).toEqual(['conflict']);
      const owner = await h.adapter.getUserByOAuth('google', sub);
      expect(owner?.id).toBe(ok[0]!.id);
      const loser = ok[0]!.id === a.id ? b : a;
      expect((await h.adapter.getUser(loser.id))?.oauth).toBeUndefined();
    }
  });
});
