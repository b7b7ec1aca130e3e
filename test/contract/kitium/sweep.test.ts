import { expect, it } from 'vitest';
import { sweepExpired } from '../../../src/adapters/kysely/sweeper.js';
import { describeKitium } from './backends.js';

describeKitium('sweeping expired rows', (h) => {
  it('deletes expired sessions and email tokens (with their attempt counts) in batches, keeps live ones', async () => {
    const past = new Date(Date.now() - 60_000);
    const future = new Date(Date.now() + 60_000);
    const expired = await Promise.all(
      Array.from({ length: 7 }, () =>
        h.adapter.createSession({ userId: 'sweep', entitlements: [], expiresAt: past }),
      ),
    );
    const live = await h.adapter.createSession({ userId: 'sweep', entitlements: [], expiresAt: future });
    const token = await h.adapter.createEmailVerificationToken({
      email: 'sweep@x.io',
      code: '1',
      codeHash: 'h',
      type: 'verify_email',
      expiresAt: past,
      createdAt: past,
    });
    await h.adapter.incrementEmailVerificationTokenAttempts(token.id);
    const batches: number[] = [];
    const counts = await sweepExpired(h.adapter.sqlStore, {
      now: new Date(),
      batchSize: 3,
      onBatch: (table, n) => table === 'sessions' && batches.push(n),
    });
    expect(counts.sessions).toBeGreaterThanOrEqual(7);
    expect(batches.every((n) => n <= 3)).toBe(true);
    expect(counts.email_verification_tokens).toBeGreaterThanOrEqual(1);
    for (const s of expired) expect(await h.adapter.getSession(s.id)).toBeNull();
    expect(await h.adapter.getSession(live.id)).not.toBeNull();
    expect(await h.adapter.getEmailVerificationTokenById(token.id)).toBeNull();
    expect(await h.adapter.getEmailVerificationTokenAttempts(token.id)).toBe(0);
    const again = await sweepExpired(h.adapter.sqlStore, { now: new Date() });
    expect(again.sessions).toBe(0);
  });
});
