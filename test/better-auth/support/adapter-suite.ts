import {
  authFlowTestSuite,
  caseInsensitiveTestSuite,
  joinsTestSuite,
  normalTestSuite,
  numberIdTestSuite,
  testAdapter,
  transactionsTestSuite,
  uuidTestSuite,
} from '@better-auth/test-utils/adapter';
import type { BetterAuthOptions } from 'better-auth/types';
import { authkeepAdapter, type AuthkeepAdapterOptions } from '../../../src/app/better-auth/index.js';
import { migrateBetterAuth } from '../../../src/app/better-auth/migrate.js';

/** A database the adapter suite runs on: how to open it and how to empty it between suites. */
export interface SuiteDatabase {
  /** What authkeepAdapter and migrateBetterAuth are given (database and connection options). */
  adapterOptions: Omit<AuthkeepAdapterOptions, 'usePlural' | 'debugLogs'>;
  /** Drops every table (suites change id types, so each migration starts from nothing). */
  dropTables(): Promise<void>;
  close(): Promise<void>;
}

/**
 * better-auth's own adapter suite (@better-auth/test-utils 1.7.5 dist/adapter: testAdapter with the
 * seven suites better-auth runs on its Kysely adapter), on authkeepAdapter over `database`.
 * testAdapter calls `adapter` again on every options change: one authkeepAdapter (one pool) serves all.
 */
export async function runAdapterSuite(label: string, database: SuiteDatabase): Promise<void> {
  const adapter = authkeepAdapter(database.adapterOptions);
  const { execute } = await testAdapter({
    adapter: () => adapter,
    prefixTests: label,
    async runMigrations(options: BetterAuthOptions) {
      await database.dropTables();
      // Through the adapter's own store: its statements are then compiled anew for the new tables.
      await migrateBetterAuth({ database: adapter.store, options });
    },
    tests: [
      normalTestSuite(),
      transactionsTestSuite(),
      authFlowTestSuite(),
      numberIdTestSuite(),
      joinsTestSuite(),
      uuidTestSuite(),
      caseInsensitiveTestSuite(),
    ],
    async onFinish() {
      await adapter.close();
      await database.close();
    },
  });
  execute();
}
