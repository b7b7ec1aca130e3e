import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import { describeKeyed } from './keyed-backends.js';

// The expiry rule of each record a caller reads back, as upstream's MemoryStorageAdapter answers
// (kitium-ai/auth src/adapters/memory.ts @50480ec): getSession is null once expiresAt has passed;
// two-factor sessions, SSO sessions and API keys are returned whatever their expiry (the caller checks).
// Keyed: two-factor and SSO sessions hold sealed columns.
describeKeyed('expiry on read', (h) => {
  const past = () => new Date(Date.now() - 1000);

  it('getSession answers null once expiresAt has passed; a live one is returned', async () => {
    const expired = await h.adapter.createSession({ userId: 'exp', entitlements: [], expiresAt: past() });
    const live = await h.adapter.createSession({
      userId: 'exp',
      entitlements: [],
      expiresAt: new Date(Date.now() + 60_000),
    });
    expect(await h.adapter.getSession(expired.id)).toBeNull();
    expect(await h.adapter.getSession(live.id)).toMatchObject({ id: live.id });
    // Extending it brings it back: the row stays until a sweep deletes it.
    await h.adapter.updateSession(expired.id, { expiresAt: new Date(Date.now() + 60_000) });
    expect(await h.adapter.getSession(expired.id)).toMatchObject({ id: expired.id });
  });

  it('two-factor sessions, SSO sessions and API keys are returned past their expiry, as upstream returns them', async () => {
    const expiresAt = past();
    const twoFactor = {
      id: randomUUID(),
      userId: 'exp',
      sessionId: `s-${randomUUID()}`,
      deviceId: randomUUID(),
      method: 'totp' as const,
      attemptCount: 0,
      maxAttempts: 3,
      expiresAt,
      createdAt: expiresAt,
    };
    await h.adapter.createTwoFactorSession(twoFactor);
    expect(await h.adapter.getTwoFactorSession(twoFactor.id)).toMatchObject({ expiresAt });
    const sso = await h.adapter.createSSOSession({
      userId: 'exp',
      providerId: 'okta',
      providerType: 'oidc',
      providerSubject: 'sub',
      expiresAt,
      lastAuthAt: expiresAt,
    });
    expect(await h.adapter.getSSOSession(sso.id)).toMatchObject({ expiresAt });
    const key = await h.adapter.createApiKey({
      principalId: 'exp',
      hash: randomUUID().replaceAll('-', '').repeat(2),
      prefix: 'api',
      lastFour: 'abcd',
      scopes: [],
      expiresAt,
    });
    expect(await h.adapter.getApiKey(key.id)).toMatchObject({ expiresAt });
  });
});
