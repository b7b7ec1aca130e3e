import { IntegrityError } from '../../domain/errors.js';
import type { AuthjsAccount, AuthjsMigrateOptions, AuthjsMigrateReport } from '../../ports/authjs-store.js';
import { resolveCipher, type KitiumCipherOptions } from '../kitium/cipher-option.js';
import { AccountTokens } from './account-tokens.js';
import { openAuthjsStore, type AuthjsDatabaseOptions } from './options.js';
import { isSessionTokenDigest, sessionTokenDigest } from './session-reads.js';

export interface MigrateAuthjsOptions extends AuthjsDatabaseOptions, KitiumCipherOptions {
  /**
   * Seal the OAuth tokens of every account with the keyring's active key: tokens in clear are sealed,
   * tokens sealed under an older key are sealed again (key rotation). Needs a key.
   */
  sealAccountTokens?: boolean;
}
export interface MigrateAuthjsReport extends AuthjsMigrateReport {
  /**
   * Accounts with a sealed token that did not open (tampered, moved from another account, or sealed under
   * a key the keyring no longer holds): left as they are, to be looked at; `getAccount` refuses them.
   */
  unreadableAccounts: number;
}

/**
 * Creates the Auth.js tables of the layout that are missing and changes none that exist, so it runs on a
 * database made by @auth/pg-adapter's schema.sql (or for @auth/kysely-adapter) as it is. Safe to run from
 * many processes at once (one at a time under the schema lock) and again at every start.
 * With `hashSessionTokens: true`, session tokens still in clear become their SHA-256 digests (rows that
 * already hold a 64-character lowercase hex digest are left alone); with `sealAccountTokens: true`, OAuth
 * tokens not sealed under the active key are (re)sealed.
 */
export async function migrateAuthjs(options: MigrateAuthjsOptions): Promise<MigrateAuthjsReport> {
  const cipher = options.sealAccountTokens ? resolveCipher(options, options.env ?? process.env) : undefined;
  // Asked first: without a key this is a config error before any connection opens.
  if (cipher) void cipher.activeKeyId;
  const { store, layoutTables, logger } = openAuthjsStore(options);
  const tokens = cipher && new AccountTokens(cipher, layoutTables.accounts!, true);
  let unreadable = 0;
  const reseal = (account: AuthjsAccount) => {
    try {
      return tokens!.reseal(account);
    } catch (error) {
      if (!(error instanceof IntegrityError)) throw error;
      unreadable += 1;
      return null;
    }
  };
  const work: AuthjsMigrateOptions = {
    ...(options.hashSessionTokens
      ? { digestSessionTokens: sessionTokenDigest, isDigest: isSessionTokenDigest }
      : {}),
    ...(tokens ? { resealAccount: reseal } : {}),
  };
  try {
    const report = await store.migrate(work);
    if (unreadable > 0) {
      logger.warn(
        { unreadableAccounts: unreadable },
        'accounts whose sealed OAuth tokens do not open were left as they are',
      );
    }
    return { ...report, unreadableAccounts: unreadable };
  } finally {
    await store.close();
  }
}
