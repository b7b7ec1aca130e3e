import { randomUUID } from 'node:crypto';
import type { AdapterAccount, AdapterUser } from '@auth/core/adapters';
import type { AuthkeepAdapter } from '../../../src/app/authjs/index.js';

/** A user as Auth.js's email sign-in proposes it (@auth/core 0.41.3 lib/actions/signin/send-token.js). */
export function newUser(overrides: Partial<AdapterUser> = {}): AdapterUser {
  return {
    id: randomUUID(),
    email: `${randomUUID()}@example.com`,
    emailVerified: null,
    name: 'Ada Lovelace',
    image: 'https://example.com/ada.png',
    ...overrides,
  };
}

/** An OAuth account as @auth/core's OAuth callback links it (tokens plus provider, type, providerAccountId). */
export function newAccount(userId: string, overrides: Partial<AdapterAccount> = {}): AdapterAccount {
  return {
    userId,
    type: 'oauth',
    provider: 'github',
    providerAccountId: randomUUID(),
    access_token: `gho_${randomUUID()}`,
    refresh_token: `ghr_${randomUUID()}`,
    id_token: 'eyJhbGciOi.payload.signature',
    expires_at: Math.floor(Date.now() / 1000) + 3600,
    token_type: 'bearer',
    scope: 'read:user user:email',
    session_state: 'state-1',
    ...overrides,
  };
}

export async function createUser(adapter: AuthkeepAdapter, overrides: Partial<AdapterUser> = {}) {
  return adapter.createUser(newUser(overrides));
}

/** A date at a whole millisecond in the future (both dialects keep milliseconds). */
export function inHours(hours: number): Date {
  return new Date(Math.floor(Date.now() + hours * 3_600_000));
}
