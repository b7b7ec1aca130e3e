import { kitiumMigrations } from '../../../../migrations/index.js';
import { planMigrations, readMigrationStatus, verifySchema } from '../../../adapters/kysely/index.js';
import { databaseKind, resolveDatabaseUrl } from '../../config.js';
import { defineCommand } from '../command.js';
import { DATABASE_FLAGS, withStorage } from '../common.js';
import { JSON_FLAG } from '../flags.js';
import { CliError } from '../io.js';
import { schemaSummary } from '../../schema-summary.js';

const DIALECTS = ['postgres', 'sqlite'] as const;

export const schemaCommand = defineCommand({
  name: 'schema',
  summary: 'print the SQL of the current schema (or the upgrade from --from), for teams that own migrations',
  details: [
    'The statements are the ones the migrations run, recorded on an empty scratch schema that is rolled',
    'back (PostgreSQL: needs --database or AUTHKEEP_DATABASE_URL, writes nothing; SQLite: in memory). They',
    'end with inserts into auth_migrations, so connect() and "authkeep verify" see the database as migrated.',
  ],
  flags: {
    dialect: { type: 'string', value: '<postgres|sqlite>', help: 'which SQL to print (required)' },
    from: {
      type: 'string',
      value: '<migration id>',
      help: 'print only the upgrade from a database at this migration (see "authkeep status")',
    },
    database: {
      ...DATABASE_FLAGS.database,
      help: 'PostgreSQL to plan on (default: AUTHKEEP_DATABASE_URL); its tables are not touched',
    },
  },
  run: (values, io) => {
    const dialect = values.dialect;
    if (!DIALECTS.includes(dialect as (typeof DIALECTS)[number])) {
      throw new CliError('--dialect must be postgres or sqlite', 2);
    }
    let database = ':memory:';
    if (dialect === 'postgres') {
      database = resolveDatabaseUrl(values.database, io.env);
      if (databaseKind(database) !== 'postgres') {
        throw new CliError(
          'schema --dialect postgres plans on a PostgreSQL server (in a scratch schema, rolled back): pass --database postgres://…',
          2,
        );
      }
    }
    return withStorage({ database }, io, async (storage) => {
      const plan = await planMigrations(storage.sqlStore, kitiumMigrations, storage.migrationContext(), {
        scratch: true,
        ...(values.from !== undefined ? { from: values.from } : {}),
      });
      io.out(
        `-- authkeep schema, ${dialect}, ${values.from ? `upgrade from ${values.from}` : 'new database'}`,
      );
      for (const entry of plan) {
        io.out(`\n-- ${entry.id}`);
        for (const statement of entry.statements) io.out(`${statement};`);
      }
    });
  },
});

export const verifyCommand = defineCommand({
  name: 'verify',
  summary: 'check that the schema is what authkeep expects, changing nothing (exit 1 when it differs)',
  details: ['Prints a one-line summary; --verbose (or --json) lists every difference.'],
  flags: {
    ...DATABASE_FLAGS,
    verbose: { type: 'boolean', short: 'v', help: 'list every difference, one per line' },
    ...JSON_FLAG,
  },
  run: (values, io) =>
    withStorage(values, io, async (storage) => {
      const differences = await verifySchema(storage.sqlStore, kitiumMigrations, storage.migrationContext());
      const { pending } = await readMigrationStatus(storage.sqlStore, kitiumMigrations);
      if (values.json) io.out(JSON.stringify({ matches: differences.length === 0, pending, differences }));
      if (differences.length === 0) {
        if (!values.json) io.out('schema matches');
        return;
      }
      if (values.verbose && !values.json) for (const difference of differences) io.out(difference);
      throw new CliError(
        schemaSummary(differences.length, pending.length) + (values.verbose ? '' : ' (--verbose lists them)'),
      );
    }),
});
