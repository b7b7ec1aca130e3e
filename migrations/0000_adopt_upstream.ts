import { type Kysely, sql } from 'kysely';
import type { Migration } from '../src/adapters/kysely/schema/migrator.js';
import { UPSTREAM_MIGRATION_ID } from './upstream/catalogue.js';
import { recogniseUpstream } from './upstream/recognise.js';
import {
  dropForeignKeys,
  dropUpdatedAtTriggers,
  dropUpstreamIndexes,
  reshapeColumns,
} from './upstream/reshape.js';
import { checkProviderTypes, foldProviderColumns } from './upstream/sso-providers.js';
import { adoptionZones, convertTimestamps, upstreamTimeZone } from './upstream/time-zones.js';

/**
 * Adopts a database made by @kitiumai/auth-postgres, either generation, in place: afterwards it has
 * exactly the tables migration 0001 creates in a fresh database (timestamps already timestamptz, each
 * read in its writer's zone), the ledger says 0001 is done, and 0002+ run as on any database. Does
 * nothing on a fresh database, on SQLite, or where authkeep's own migrations ran already. Everything runs
 * in the migration transaction: a refusal (a config error) leaves the database as it was.
 */
export const adoptUpstream: Migration = {
  id: 'authkeep_0000_adopt_upstream',

  async up(db: Kysely<any>, context) {
    if (context.dialect !== 'postgres') return;
    const found = await recogniseUpstream(db);
    if (!found) return;
    const zones = await adoptionZones(db, upstreamTimeZone(context.upstreamTimeZone));
    // Rewriting every upstream table outlasts the per-statement timeout on a large database; a lock held
    // by an upstream process still running fails connect() after a minute instead of waiting for ever.
    await sql`set local statement_timeout = 0`.execute(db);
    await sql`set local lock_timeout = '60s'`.execute(db);
    await checkProviderTypes(db);
    context.logger.info(
      { generation: found.generation, upstreamTimeZone: zones.upstream, serverTimeZone: zones.server },
      'adopting a database made by @kitiumai/auth-postgres',
    );
    await dropUpdatedAtTriggers(db);
    await dropForeignKeys(db, context.logger);
    await dropUpstreamIndexes(db);
    await convertTimestamps(db, zones, found.triggerTables, context.logger);
    await foldProviderColumns(db);
    await reshapeColumns(db, context.logger);
    if (found.generation === '3.0') {
      await db.insertInto('auth_migrations').values({ id: UPSTREAM_MIGRATION_ID }).execute();
    }
  },
};
