import { initGetFieldName, initGetModelName } from 'better-auth/adapters';
import { getAuthTables } from 'better-auth/db';
import type { BetterAuthOptions } from 'better-auth/types';
import { ConfigError } from '../../../domain/errors.js';
import type { ModelStore } from '../../../ports/model-store.js';
import { DigestedSessionStore } from './digested-session-store.js';
import { SessionTokenDigests } from './token-digest.js';

export interface SecretsOptions {
  /**
   * Keep session tokens as SHA-256 digests (default false): a stolen database holds no usable token.
   * listSessions then shows each session's token as a handle (the digest and a MAC under a key derived from
   * `secret`, default better-auth's own secret) that revokeSession accepts. Sessions stored in clear before
   * it was turned on are no longer found (their users sign in again).
   */
  hashSessionTokens?: boolean | { secret: string };
}

function handleSecret(option: true | { secret: string }, options: BetterAuthOptions): string {
  const secret =
    option === true
      ? (options.secret ?? process.env.BETTER_AUTH_SECRET ?? process.env.AUTH_SECRET)
      : option.secret;
  if (typeof secret !== 'string' || secret.length < 16) {
    throw new ConfigError(
      'hashSessionTokens needs a secret of at least 16 characters: better-auth’s `secret` (or BETTER_AUTH_SECRET), or hashSessionTokens: { secret }',
    );
  }
  return secret;
}

/** The store with the secrets options applied (none: the store itself). */
export function withSecrets(
  store: ModelStore,
  secrets: SecretsOptions,
  options: BetterAuthOptions,
  usePlural: boolean | undefined,
): ModelStore {
  if (!secrets.hashSessionTokens) return store;
  const schema = getAuthTables(options);
  const table = initGetModelName({ schema, usePlural })('session');
  const column = initGetFieldName({ schema, usePlural })({ model: 'session', field: 'token' });
  const digests = new SessionTokenDigests(handleSecret(secrets.hashSessionTokens, options));
  return new DigestedSessionStore(store, digests, { table, column });
}
