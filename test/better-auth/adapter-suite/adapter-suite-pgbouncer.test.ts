import { describe, it } from 'vitest';
import { pgbouncerUrl } from '../../support/postgres.js';
import { runAdapterSuite } from '../support/adapter-suite.js';
import { postgresSuiteDatabase } from '../support/postgres-suite-database.js';

// The whole suite through PgBouncer in transaction pooling mode (no named statements, no session state).
const url = pgbouncerUrl();
const database = url ? await postgresSuiteDatabase('ba_bouncer', url, { pooler: 'transaction' }) : null;
if (database) await runAdapterSuite('postgres via pgbouncer', database);
else
  describe.skip('better-auth adapter suite through PgBouncer (no PgBouncer in this run)', () =>
    it('skipped'));
