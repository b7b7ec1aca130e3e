import { initGetFieldName, initGetModelName } from 'better-auth/adapters';
import { getAuthTables } from 'better-auth/db';
import type { BetterAuthOptions } from 'better-auth/types';
import { ConfigError } from '../../../domain/errors.js';
import type { ModelStore } from '../../../ports/model-store.js';
import { resolveCipher, type KitiumCipherOptions } from '../../kitium/cipher-option.js';
import { SealedAccountStore, type SealedColumns } from './sealed-account-store.js';
import { DigestedSessionStore } from './digested-session-store.js';
import { SessionTokenDigests } from './token-digest.js';

export interface SecretsOptions extends KitiumCipherOptions {
  /**
   * Seal `account.accessToken`, `refreshToken` and `idToken` with authkeep's keyring (default false): the
   * `cipher` option, else `encryptionKeys`, else AUTHKEEP_ENCRYPTION_KEYS. Rows in clear are read as they are.
   */
  sealOAuthTokens?: boolean;
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

/** The account table and token columns `options` name (custom names, usePlural), as the adapter seals them. */
export function sealedAccountColumns(
  options: BetterAuthOptions,
  usePlural: boolean | undefined,
): SealedColumns {
  const schema = getAuthTables(options);
  const modelName = initGetModelName({ schema, usePlural });
  const fieldName = initGetFieldName({ schema, usePlural });
  const column = (field: string) => fieldName({ model: 'account', field });
  return {
    table: modelName('account'),
    idColumn: column('id'),
    columns: ['accessToken', 'refreshToken', 'idToken'].map(column),
  };
}

/** The store with the secrets options applied (none: the store itself). */
export function withSecrets(
  store: ModelStore,
  secrets: SecretsOptions,
  options: BetterAuthOptions,
  usePlural: boolean | undefined,
): ModelStore {
  const schema = getAuthTables(options);
  const modelName = initGetModelName({ schema, usePlural });
  const fieldName = initGetFieldName({ schema, usePlural });
  let served = store;
  if (secrets.sealOAuthTokens) {
    const cipher = resolveCipher(secrets);
    try {
      cipher.encrypt('probe', { table: 'account', column: 'accessToken', rowId: 'probe' });
    } catch (error) {
      throw new ConfigError(
        'sealOAuthTokens needs a key: the cipher or encryptionKeys option, or AUTHKEEP_ENCRYPTION_KEYS',
        {
          cause: error,
        },
      );
    }
    served = new SealedAccountStore(served, cipher, sealedAccountColumns(options, usePlural));
  }
  if (secrets.hashSessionTokens) {
    const table = modelName('session');
    const column = fieldName({ model: 'session', field: 'token' });
    const digests = new SessionTokenDigests(handleSecret(secrets.hashSessionTokens, options));
    served = new DigestedSessionStore(served, digests, { table, column });
  }
  return served;
}
