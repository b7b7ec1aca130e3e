import { type Kysely, type RawBuilder, sql } from 'kysely';
import { ConfigError } from '../../src/domain/errors.js';
import type { MigrationContext } from '../../src/adapters/kysely/schema/migrator.js';

type Logger = MigrationContext['logger'];
import { TIME_SOURCES, updatedAtSource } from './time-sources.js';

/** The option's environment variable: the zone upstream's process ran in, when not given in code. */
export const UPSTREAM_TIME_ZONE_ENV = 'AUTHKEEP_UPSTREAM_TIME_ZONE';

export interface AdoptionZones {
  /** Local zone of the process that ran @kitiumai/auth-postgres (its Dates were written in it). */
  upstream: string;
  /** The server's TimeZone setting (upstream's NOW() defaults were written in it). */
  server: string;
}

// IANA names ("America/New_York", "Etc/GMT+5", "UTC"); anything else never reaches SQL.
const ZONE_NAME = /^[A-Za-z][A-Za-z0-9_+\-/]{0,63}$/;

/** The option, else the environment variable, else the adopting process's own zone. */
export function upstreamTimeZone(option: string | undefined, env = process.env): string {
  const zone =
    option ?? (env[UPSTREAM_TIME_ZONE_ENV] || undefined) ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
  let valid = ZONE_NAME.test(zone);
  if (valid) {
    try {
      new Intl.DateTimeFormat('en', { timeZone: zone });
    } catch {
      valid = false;
    }
  }
  if (!valid) {
    throw new ConfigError(
      `upstreamTimeZone (or ${UPSTREAM_TIME_ZONE_ENV}) must be an IANA time zone name such as "America/New_York"`,
    );
  }
  return zone;
}

/** Checks that PostgreSQL knows the zone too and reads the server's TimeZone setting. */

export async function adoptionZones(db: Kysely<any>, upstream: string): Promise<AdoptionZones> {
  const { rows } = await sql<{ server: string; known: boolean }>`
    select current_setting('TimeZone') as server,
      exists (select 1 from pg_timezone_names where name = ${upstream}) as known`.execute(db);
  const row = rows[0]!;
  if (!row.known && upstream !== 'UTC') {
    throw new ConfigError(`PostgreSQL does not know the upstream time zone "${upstream}"`);
  }
  return { upstream, server: row.server };
}

const inZone = (column: string, zone: string) => sql`${sql.ref(column)} at time zone ${sql.lit(zone)}`;

function conversion(
  table: string,
  column: string,
  zones: AdoptionZones,
  hasTrigger: boolean,
): { using: RawBuilder<unknown>; reading: string } {
  const source = TIME_SOURCES[table]?.[column];
  if (source === 'js') return { using: inZone(column, zones.upstream), reading: zones.upstream };
  if (source === 'now' || source === undefined) {
    return { using: inZone(column, zones.server), reading: zones.server };
  }
  const { insert, update } = updatedAtSource(table, hasTrigger);
  const zoneOf = (path: 'js' | 'now') => (path === 'js' ? zones.upstream : zones.server);
  if (insert === update) return { using: inZone(column, zoneOf(insert)), reading: zoneOf(insert) };
  const reading = `${zoneOf(insert)} if never updated, else ${zoneOf(update)}`;
  const asInserted = inZone(column, zoneOf(insert));
  const asUpdated = inZone(column, zoneOf(update));
  if (insert === 'now') {
    // One INSERT, one NOW(): a never-updated row has updated_at = created_at exactly.
    return {
      using: sql`case when ${sql.ref(column)} = created_at then ${asInserted} else ${asUpdated} end`,
      reading,
    };
  }
  const createdAt = inZone('created_at', zones.server);
  return {
    using: sql`case when abs(extract(epoch from (${asInserted} - ${createdAt}))) < 300
      then ${asInserted} else ${asUpdated} end`,
    reading,
  };
}

/**
 * users.updated_at without the trigger: updateUser binds a Date, but linkOAuthAccount writes NOW(). A row
 * whose updated_at, read in the server's zone, lies within five minutes of its newest oauth `linkedAt`
 * (an ISO instant the caller passed, normally `new Date()` at link time) was last written by a link:
 * its wall-clock value is rewritten from the server's zone into the upstream zone, so that the column's
 * one rule below ("changed rows are in the upstream zone") reads it right.
 */
async function relocateLinkWrites(db: Kysely<any>, zones: AdoptionZones): Promise<void> {
  const server = inZone('updated_at', zones.server);
  await sql`update users set updated_at = (${server}) at time zone ${sql.lit(zones.upstream)}
    where updated_at <> created_at and jsonb_typeof(oauth) = 'object' and exists (
      select 1 from jsonb_each(oauth) as link
      where jsonb_typeof(link.value) = 'object'
        and abs(extract(epoch from (
          case when link.value->>'linkedAt' ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}([.][0-9]+)?Z$'
          then (link.value->>'linkedAt')::timestamptz end - ${server}))) < 300)`.execute(db);
}

/**
 * Every upstream TIMESTAMP column becomes timestamptz, each read in the zone its writer used
 * (time-sources.ts). updated_at goes first: its reading compares it with the still-naive created_at.
 * The repeated hour of an autumn clock change is ambiguous in local time; PostgreSQL reads it as standard
 * time, and nothing in the row can say otherwise.
 * Columns already timestamptz are left alone. Logs the zone used for each column.
 */
export async function convertTimestamps(
  db: Kysely<any>,
  zones: AdoptionZones,
  triggerTables: ReadonlySet<string>,
  logger: Logger,
): Promise<void> {
  const { rows } = await sql<{ table_name: string; column_name: string }>`
    select table_name, column_name from information_schema.columns
    where table_schema = current_schema() and data_type = 'timestamp without time zone'
    order by table_name, (column_name = 'updated_at') desc, column_name`.execute(db);
  const readings: Record<string, string> = {};
  if (
    !triggerTables.has('users') &&
    rows.some((row) => row.table_name === 'users' && row.column_name === 'updated_at')
  ) {
    await relocateLinkWrites(db, zones);
  }
  for (const { table_name: table, column_name: column } of rows) {
    if (!(table in TIME_SOURCES)) continue;
    const { using, reading } = conversion(table, column, zones, triggerTables.has(table));
    await sql`alter table ${sql.table(table)} alter column ${sql.ref(column)}
      type timestamptz using ${using}`.execute(db);
    readings[`${table}.${column}`] = reading;
  }
  logger.info(
    { upstreamTimeZone: zones.upstream, serverTimeZone: zones.server, columns: readings },
    'adopting @kitiumai/auth-postgres timestamps: each column read in the zone its writer used',
  );
}
