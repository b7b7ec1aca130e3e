import type { AuthjsMigrateReport } from '../../ports/authjs-store.js';
import { openAuthjsStore, type AuthjsDatabaseOptions } from './options.js';
import { isSessionTokenDigest, sessionTokenDigest } from './session-reads.js';

export type MigrateAuthjsOptions = AuthjsDatabaseOptions;
export type { AuthjsMigrateReport };

/**
 * Creates the Auth.js tables of the layout that are missing and changes none that exist, so it runs on a
 * database made by @auth/pg-adapter's schema.sql (or for @auth/kysely-adapter) as it is. Safe to run from
 * many processes at once (one at a time under the schema lock) and again at every start.
 * With `hashSessionTokens: true`, session tokens still in clear become their SHA-256 digests (rows that
 * already hold a 64-character lowercase hex digest are left alone).
 */
export async function migrateAuthjs(options: MigrateAuthjsOptions): Promise<AuthjsMigrateReport> {
  const { store } = openAuthjsStore(options);
  try {
    return await store.migrate(
      options.hashSessionTokens
        ? { digestSessionTokens: sessionTokenDigest, isDigest: isSessionTokenDigest }
        : {},
    );
  } finally {
    await store.close();
  }
}
