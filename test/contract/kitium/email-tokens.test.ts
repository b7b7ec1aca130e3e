import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import { describeKitium } from './backends.js';

describeKitium('email verification tokens and events', (h) => {
  const token = (email: string, overrides: Record<string, unknown> = {}) => ({
    email,
    code: '123456',
    codeHash: 'hash-of-123456',
    type: 'verify_email' as const,
    expiresAt: new Date(Date.now() + 600_000),
    createdAt: new Date(),
    ...overrides,
  });

  it('creates and reads by id; lists by email (case-insensitive) and type, newest first', async () => {
    const address = `t-${randomUUID()}@x.io`;
    const a = await h.adapter.createEmailVerificationToken(
      token(address, { createdAt: new Date(Date.now() - 2000) }),
    );
    const b = await h.adapter.createEmailVerificationToken(
      token(address.toUpperCase(), { type: 'reset_password', userId: 'u1', metadata: { ip: '1.2.3.4' } }),
    );
    const c = await h.adapter.createEmailVerificationToken(token(address));
    expect(await h.adapter.getEmailVerificationTokenById(b.id)).toEqual(b);
    expect((await h.adapter.getEmailVerificationTokens(address)).map((t) => t.id)).toEqual([
      c.id,
      b.id,
      a.id,
    ]);
    expect((await h.adapter.getEmailVerificationTokens(address, 'verify_email')).map((t) => t.id)).toEqual([
      c.id,
      a.id,
    ]);
    expect(await h.adapter.getEmailVerificationTokens(address, 'login_link')).toEqual([]);
    expect(await h.adapter.getEmailVerificationTokenById('missing')).toBeNull();
  });

  it('marks a token used exactly once', async () => {
    const t = await h.adapter.createEmailVerificationToken(token(`once-${randomUUID()}@x.io`));
    const used = await h.adapter.markEmailVerificationTokenAsUsed(t.id);
    expect(used.usedAt).toBeInstanceOf(Date);
    await expect(h.adapter.markEmailVerificationTokenAsUsed(t.id)).rejects.toMatchObject({
      code: 'conflict',
    });
    await expect(h.adapter.markEmailVerificationTokenAsUsed('missing')).rejects.toMatchObject({
      code: 'not_found',
    });
    expect((await h.adapter.getEmailVerificationTokenById(t.id))?.usedAt).toEqual(used.usedAt);
  });

  it('counts attempts atomically per token; unknown tokens are not_found', async () => {
    const t = await h.adapter.createEmailVerificationToken(token(`att-${randomUUID()}@x.io`));
    expect(await h.adapter.getEmailVerificationTokenAttempts(t.id)).toBe(0);
    expect(await h.adapter.incrementEmailVerificationTokenAttempts(t.id)).toBe(1);
    expect(await h.adapter.incrementEmailVerificationTokenAttempts(t.id)).toBe(2);
    expect(await h.adapter.getEmailVerificationTokenAttempts(t.id)).toBe(2);
    await expect(h.adapter.incrementEmailVerificationTokenAttempts('missing')).rejects.toMatchObject({
      code: 'not_found',
    });
  });

  it('deletes expired tokens (and their attempt counts) and returns how many', async () => {
    const address = `exp-${randomUUID()}@x.io`;
    const expired = await h.adapter.createEmailVerificationToken(
      token(address, { expiresAt: new Date(Date.now() - 1000) }),
    );
    await h.adapter.incrementEmailVerificationTokenAttempts(expired.id);
    const live = await h.adapter.createEmailVerificationToken(token(address));
    expect(await h.adapter.deleteExpiredEmailVerificationTokens()).toBeGreaterThanOrEqual(1);
    expect(await h.adapter.getEmailVerificationTokenById(expired.id)).toBeNull();
    expect(await h.adapter.getEmailVerificationTokenAttempts(expired.id)).toBe(0);
    expect(await h.adapter.getEmailVerificationTokenById(live.id)).not.toBeNull();
    expect(await h.adapter.deleteExpiredEmailVerificationTokens()).toBe(0);
  });

  it('rejects an unknown token type and bad dates', async () => {
    await expect(
      h.adapter.createEmailVerificationToken(token('x@x.io', { type: 'magic' }) as never),
    ).rejects.toMatchObject({ code: 'validation' });
    await expect(
      h.adapter.createEmailVerificationToken(token('x@x.io', { expiresAt: 'tomorrow' }) as never),
    ).rejects.toMatchObject({
      code: 'validation',
    });
  });

  it('records events', async () => {
    const principalId = randomUUID();
    await h.adapter.emitEvent({
      type: 'login',
      principalId,
      orgId: 'o1',
      data: { ip: '1.1.1.1' },
      timestamp: new Date(),
    });
    await expect(
      h.adapter.emitEvent({ type: 'login', principalId, data: 'x' as never, timestamp: new Date() }),
    ).rejects.toMatchObject({
      code: 'validation',
    });
  });
});
