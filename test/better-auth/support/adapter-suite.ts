import { randomBytes } from 'node:crypto';
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
import {
  authkeepAdapter,
  type AuthkeepAdapterOptions,
  type AuthkeepBetterAuthAdapter,
} from '../../../src/app/better-auth/index.js';
import { migrateBetterAuth } from '../../../src/app/better-auth/migrate.js';
import { silentLogger } from '../../../src/index.js';
import { testCacheSecret } from '../../support/cache-secret.js';

/** A database the adapter suite runs on: how to open it and how to empty it between suites. */
export interface SuiteDatabase {
  /** What authkeepAdapter and migrateBetterAuth are given (database and connection options). */
  adapterOptions: Omit<AuthkeepAdapterOptions, 'usePlural' | 'debugLogs'>;
  /** Drops every table (suites change id types, so each migration starts from nothing). */
  dropTables(): Promise<void>;
  close(): Promise<void>;
}

/** A cache for the suite: 'memory', or a Redis URL (each adapter then gets a namespace of its own). */
export type SuiteCache = 'memory' | { redis: string; local: boolean } | undefined;

function cacheOptions(cache: SuiteCache): Partial<AuthkeepAdapterOptions> {
  if (cache === undefined) return {};
  if (cache === 'memory') return { cache: 'memory' };
  return {
    cache: cache.redis as `redis://${string}`,
    cacheOptions: {
      secret: testCacheSecret,
      namespace: `test:ba-suite:${randomBytes(6).toString('hex')}:`,
      maxTtlMs: 60_000,
      local: cache.local,
    },
  };
}

/**
 * better-auth's own adapter suite (@better-auth/test-utils 1.7.5 dist/adapter: testAdapter with the
 * seven suites better-auth runs on its Kysely adapter), on authkeepAdapter over `database`.
 * testAdapter asks for the adapter before every operation: each migration (suites drop and recreate the
 * tables, ids restarting) swaps in a fresh adapter, so no cache entry outlives the tables it came from.
 */
export async function runAdapterSuite(
  label: string,
  database: SuiteDatabase,
  cache?: SuiteCache,
): Promise<void> {
  const open = () =>
    authkeepAdapter({ ...database.adapterOptions, logger: silentLogger, ...cacheOptions(cache) });
  let current: AuthkeepBetterAuthAdapter = open();
  const { execute } = await testAdapter({
    adapter: () => current,
    prefixTests: label,
    async runMigrations(options: BetterAuthOptions) {
      await current.close();
      await database.dropTables();
      current = open();
      // Through the adapter's own store: its statements are then compiled anew for the new tables.
      await migrateBetterAuth({ database: current.store, options });
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
      await current.close();
      await database.close();
    },
  });
  execute();
}
