import { expect, it } from 'vitest';
import { sweepExpired } from '../../../src/adapters/kysely/sweeper.js';
import { describeKitium } from './backends.js';

const day = 86_400_000;

describeKitium('sweeping expired rows', (h) => {
  // getSession answers null for an expired session whether or not its row is still there: count rows.
  const rows = async (userId: string) =>
    Number(
      (
        await h.adapter.sqlStore.db
          .selectFrom('sessions')
          .select(({ fn }) => fn.countAll().as('n'))
          .where('user_id', '=', userId)
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('sweepExpired() removes sessions expired on an ended day and email tokens (with their attempt counts), keeps live ones', async () => {
    // Two days back: on PostgreSQL that bucket's day has ended, so its partition goes whole.
    const past = new Date(Date.now() - 2 * day);
    const future = new Date(Date.now() + 60_000);
    const expired = await Promise.all(
      Array.from({ length: 7 }, () =>
        h.adapter.createSession({ userId: 'sweep-expired', entitlements: [], expiresAt: past }),
      ),
    );
    const live = await h.adapter.createSession({ userId: 'sweep-live', entitlements: [], expiresAt: future });
    const token = await h.adapter.createEmailVerificationToken({
      email: 'sweep@x.io',
      code: '1',
      codeHash: 'h',
      type: 'verify_email',
      expiresAt: past,
      createdAt: past,
    });
    await h.adapter.incrementEmailVerificationTokenAttempts(token.id);
    const counts = await h.adapter.sweepExpired();
    expect(counts.sessions).toBeGreaterThanOrEqual(7);
    expect(counts.email_verification_tokens).toBeGreaterThanOrEqual(1);
    expect(await rows('sweep-expired')).toBe(0);
    for (const s of expired) expect(await h.adapter.getSession(s.id)).toBeNull();
    expect(await h.adapter.getSession(live.id)).not.toBeNull();
    expect(await h.adapter.getEmailVerificationTokenById(token.id)).toBeNull();
    expect(await h.adapter.getEmailVerificationTokenAttempts(token.id)).toBe(0);
    const again = await h.adapter.sweepExpired();
    expect(again.sessions).toBe(0);
    // A session created after its bucket was dropped gets the bucket back.
    const late = await h.adapter.createSession({ userId: 'sweep-late', entitlements: [], expiresAt: past });
    expect(await rows('sweep-late')).toBe(1);
    expect(await h.adapter.getSession(late.id)).toBeNull(); // stored, but expired
  });

  it('a session extended past its bucket stays, and goes once it has expired', async () => {
    const past = new Date(Date.now() - 3 * day);
    const kept = await h.adapter.createSession({ userId: 'sweep-kept', entitlements: [], expiresAt: past });
    await h.adapter.createSession({ userId: 'sweep-gone', entitlements: [], expiresAt: past });
    const later = new Date(Date.now() + day);
    await h.adapter.updateSession(kept.id, { expiresAt: later });
    await h.adapter.sweepExpired();
    expect((await h.adapter.getSession(kept.id))?.expiresAt).toEqual(later);
    expect(await rows('sweep-gone')).toBe(0);
    await h.adapter.updateSession(kept.id, { expiresAt: past });
    expect((await h.adapter.sweepExpired()).sessions).toBe(1);
    expect(await rows('sweep-kept')).toBe(0);
  });

  it('deletes row by row in batches of batchSize where it deletes rows (every expiring table)', async () => {
    const past = new Date(Date.now() - 2 * day);
    for (let i = 0; i < 7; i++) {
      await h.adapter.createEmailVerificationToken({
        email: `batch${i}@x.io`,
        code: '1',
        codeHash: 'h',
        type: 'verify_email',
        // Distinct expiries, one equal pair: each batch starts where the last one stopped.
        expiresAt: new Date(past.getTime() + Math.min(i, 5)),
        createdAt: past,
      });
    }
    const batches: number[] = [];
    const counts = await sweepExpired(h.adapter.sqlStore, {
      now: new Date(),
      batchSize: 3,
      onBatch: (table, n) => table === 'email_verification_tokens' && batches.push(n),
    });
    expect(counts.email_verification_tokens).toBe(7);
    expect(batches).toEqual([3, 3, 1]);
  });

  it('refuses a batch size that is not a positive integer', async () => {
    await expect(h.adapter.sweepExpired({ batchSize: 0 })).rejects.toMatchObject({ code: 'validation' });
  });
});
