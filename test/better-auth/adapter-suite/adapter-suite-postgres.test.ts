import { describe, it } from 'vitest';
import { runAdapterSuite } from '../support/adapter-suite.js';
import { postgresSuiteDatabase } from '../support/postgres-suite-database.js';

const database = await postgresSuiteDatabase('ba_suite');
if (database) await runAdapterSuite('postgres', database);
else
  describe.skip('better-auth adapter suite on PostgreSQL (TEST_DATABASE_URL not set)', () => it('skipped'));
