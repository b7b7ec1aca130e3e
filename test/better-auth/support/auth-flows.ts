import { betterAuth } from 'better-auth';
import { organization, twoFactor } from 'better-auth/plugins';
import type { BetterAuthOptions, DBAdapter } from 'better-auth/types';

export const password = 'correct horse battery staple';

/** better-auth options of the flow tests (better-auth 1.7.25 plugins); `database` is the adapter under test. */
export function flowOptions(database: (options: BetterAuthOptions) => DBAdapter<BetterAuthOptions>) {
  return {
    secret: 'a-test-secret-that-is-long-enough-for-better-auth',
    baseURL: 'http://localhost:3000',
    emailAndPassword: { enabled: true },
    user: { additionalFields: { nickname: { type: 'string', required: false } } },
    // Enabled at once (no TOTP round first): the sign-in below then goes through the second factor.
    plugins: [twoFactor({ skipVerificationOnEnable: true }), organization()],
    logger: { disabled: true },
    database,
  } satisfies BetterAuthOptions;
}

export function makeAuth(database: (options: BetterAuthOptions) => DBAdapter<BetterAuthOptions>) {
  return betterAuth(flowOptions(database));
}

export type Auth = ReturnType<typeof makeAuth>;

/** The request headers of a client holding the cookies a response set. */
export function clientOf(responseHeaders: Headers, previous?: Headers): Headers {
  const jar = new Map<string, string>();
  for (const pair of (previous?.get('cookie') ?? '').split('; ').filter(Boolean)) {
    const at = pair.indexOf('=');
    jar.set(pair.slice(0, at), pair.slice(at + 1));
  }
  for (const entry of responseHeaders.getSetCookie()) {
    const pair = entry.split(';')[0]!;
    const at = pair.indexOf('=');
    jar.set(pair.slice(0, at), pair.slice(at + 1));
  }
  return new Headers({ cookie: [...jar].map(([name, value]) => `${name}=${value}`).join('; ') });
}

export async function signUp(auth: Auth, email: string) {
  const { headers, response } = await auth.api.signUpEmail({
    body: { email, password, name: 'Flow User' },
    returnHeaders: true,
  });
  return { client: clientOf(headers), token: response.token!, userId: response.user.id };
}

export async function signIn(auth: Auth, email: string) {
  const { headers, response } = await auth.api.signInEmail({
    body: { email, password },
    returnHeaders: true,
  });
  return { client: clientOf(headers), response };
}
