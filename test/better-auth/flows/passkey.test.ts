import { passkey } from '@better-auth/passkey';
import { betterAuth, type BetterAuthOptions, type DBAdapter } from 'better-auth';
import { describe, expect, it } from 'vitest';
import { migrateBetterAuth } from '../../../src/app/better-auth/index.js';
import { SoftwareAuthenticator, strangerKey } from '../../support/webauthn/software-authenticator.js';
import { flowBackends } from '../support/flow-backends.js';
import { clientOf, password } from '../support/auth-flows.js';

/**
 * better-auth's passkey plugin (@better-auth/passkey 1.7.6 on better-auth 1.7.25) end to end on
 * authkeepAdapter: a software authenticator registers a credential and signs in with it.
 */
const backends = flowBackends('passkey');

const origin = 'http://localhost:3000';

function passkeyOptions(database: (options: BetterAuthOptions) => DBAdapter<BetterAuthOptions>) {
  return {
    secret: 'a-test-secret-that-is-long-enough-for-better-auth',
    baseURL: origin,
    emailAndPassword: { enabled: true },
    plugins: [passkey({ rpID: 'localhost', rpName: 'authkeep tests', origin })],
    logger: { disabled: true },
    database,
  } satisfies BetterAuthOptions;
}

for (const backend of backends) {
  describe.skipIf(!backend.available)(`better-auth passkey on authkeepAdapter (${backend.name})`, () => {
    async function setUp() {
      const adapter = await backend.adapter();
      await migrateBetterAuth({ database: adapter.store, options: passkeyOptions(adapter) });
      return betterAuth(passkeyOptions(adapter));
    }
    type Auth = Awaited<ReturnType<typeof setUp>>;

    async function signUp(auth: Auth, email: string) {
      const { headers, response } = await auth.api.signUpEmail({
        body: { email, password, name: 'Passkey User' },
        returnHeaders: true,
      });
      return { client: clientOf(headers), token: response.token!, userId: response.user.id };
    }

    async function register(auth: Auth, client: Headers, authenticator: SoftwareAuthenticator) {
      const challenge = await auth.api.generatePasskeyRegistrationOptions({
        headers: client,
        returnHeaders: true,
      });
      return auth.api.verifyPasskeyRegistration({
        headers: clientOf(challenge.headers, client),
        body: { response: authenticator.register(challenge.response), name: 'laptop' },
      });
    }

    /** A sign-in with no session: the challenge cookie, then the assertion; the session cookie back. */
    async function signInWith(
      auth: Auth,
      authenticator: SoftwareAuthenticator,
      forgeWith?: ReturnType<typeof strangerKey>,
    ) {
      const challenge = await auth.api.generatePasskeyAuthenticationOptions({ returnHeaders: true });
      const signedIn = await auth.api.verifyPasskeyAuthentication({
        headers: clientOf(challenge.headers),
        body: { response: authenticator.authenticate(challenge.response, forgeWith) },
        returnHeaders: true,
      });
      return clientOf(signedIn.headers);
    }

    it('registers a passkey, signs in with it, advances its counter, refuses a forged signature, deletes it', async () => {
      const auth = await setUp();
      const owner = await signUp(auth, 'passkey@example.com');
      const authenticator = new SoftwareAuthenticator('localhost', origin);

      const registered = await register(auth, owner.client, authenticator);
      expect(registered).toMatchObject({ credentialID: authenticator.id, userId: owner.userId, counter: 0 });
      const listed = await auth.api.listPasskeys({ headers: owner.client });
      expect(listed.map((p) => ({ id: p.id, credentialID: p.credentialID, name: p.name }))).toEqual([
        { id: registered.id, credentialID: authenticator.id, name: 'laptop' },
      ]);

      const client = await signInWith(auth, authenticator);
      const session = await auth.api.getSession({ headers: client });
      expect(session?.user).toMatchObject({ id: owner.userId, email: 'passkey@example.com' });
      expect(session?.session.token).not.toBe(owner.token);
      const counterOf = async () => (await auth.api.listPasskeys({ headers: owner.client }))[0]!.counter;
      expect(await counterOf()).toBe(1);

      await signInWith(auth, authenticator);
      expect(await counterOf()).toBe(2);

      // A valid ES256 signature, but by a key the credential was not registered with.
      await expect(signInWith(auth, authenticator, strangerKey())).rejects.toMatchObject({
        body: { code: 'AUTHENTICATION_FAILED' },
      });
      expect(await counterOf()).toBe(2);

      await auth.api.deletePasskey({ headers: owner.client, body: { id: registered.id } });
      expect(await auth.api.listPasskeys({ headers: owner.client })).toEqual([]);
      await expect(signInWith(auth, authenticator)).rejects.toMatchObject({
        body: { code: 'PASSKEY_NOT_FOUND' },
      });
      // The session the passkey made outlives it, as better-auth intends.
      expect((await auth.api.getSession({ headers: client }))?.user.id).toBe(owner.userId);
    });

    it("another user's session cannot delete the passkey", async () => {
      const auth = await setUp();
      const owner = await signUp(auth, 'owner-pk@example.com');
      const other = await signUp(auth, 'other-pk@example.com');
      const registered = await register(auth, owner.client, new SoftwareAuthenticator('localhost', origin));
      await expect(
        auth.api.deletePasskey({ headers: other.client, body: { id: registered.id } }),
      ).rejects.toThrow();
      expect((await auth.api.listPasskeys({ headers: owner.client })).map((p) => p.id)).toEqual([
        registered.id,
      ]);
    });
  });
}
