import type { Logger } from '../../../ports/system.js';
import type { PasskeySql } from './context.js';
import { createPasskeyTables } from './schema/ddl.js';
import { checkPasskeyTables } from './schema/schema-check.js';
import { PasskeyUserRepo } from './repos/user-repo.js';

export interface InitOptions {
  /** O2P_DEMO_MODE: insert the placeholder user at sequence number 1. */
  demoMode?: boolean;
}

/**
 * The crate's startup: create what is missing (users → oauth2 → passkey → login history), then check the
 * shape of all four, under the schema lock so concurrent starts of our processes do not race on DDL.
 */
export async function initPasskeyTables(
  sql: PasskeySql,
  logger: Logger,
  options: InitOptions = {},
): Promise<void> {
  await sql.withSchemaLock(async (trx) => {
    await createPasskeyTables(trx, sql.dialect, sql.names);
    sql.shape = await checkPasskeyTables(trx, sql.dialect, sql.names, logger);
  });
  if (options.demoMode) await new PasskeyUserRepo(sql).insertDemoPlaceholder();
}
