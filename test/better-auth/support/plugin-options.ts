import type { BetterAuthOptions } from 'better-auth/types';
import { organization, twoFactor } from 'better-auth/plugins';

/**
 * An app's better-auth options with plugin tables and an additional field: what migrations and flows
 * are checked with (better-auth 1.7.25's twoFactor and organization plugins).
 */
export function pluginOptions(extra: Partial<BetterAuthOptions> = {}): BetterAuthOptions {
  return {
    secret: 'a-test-secret-that-is-long-enough-for-better-auth',
    baseURL: 'http://localhost:3000',
    emailAndPassword: { enabled: true },
    user: { additionalFields: { nickname: { type: 'string', required: false } } },
    plugins: [twoFactor(), organization()],
    ...extra,
  };
}
