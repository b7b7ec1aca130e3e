import { kitiumMigrations } from '../../../../migrations/index.js';
import { planMigrations, readMigrationStatus, schemaExists } from '../../../adapters/kysely/index.js';
import { sweepExpired } from '../../../adapters/kysely/sweeper.js';
import { ConfigError } from '../../../domain/errors.js';
import { resolveDatabaseUrl } from '../../config.js';
import { notMigrated } from '../../schema-summary.js';
import { defineCommand } from '../command.js';
import { DATABASE_FLAGS, schemaOf, withStorage, type DatabaseValues } from '../common.js';
import { checkDatabaseFlag, isMissingSqliteFile } from '../database-target.js';
import { JSON_FLAG } from '../flags.js';
import { CliError, type CliIo } from '../io.js';
import { PROGRESS_FLAG, ProgressReporter } from '../progress.js';

const json = (io: CliIo, value: unknown) => io.out(JSON.stringify(value));

/**
 * The SQL pending migrations would run, creating nothing: a SQLite file that does not exist yet is
 * planned in memory (a new file starts empty), a PostgreSQL schema that does not exist in a scratch one.
 */
async function dryRun(values: DatabaseValues & { json?: boolean }, io: CliIo): Promise<void> {
  checkDatabaseFlag(values.database);
  const missingFile = isMissingSqliteFile(resolveDatabaseUrl(values.database, io.env));
  const target = missingFile ? { database: ':memory:' } : values;
  const plan = await withStorage(
    target,
    io,
    async (storage) => {
      const schema = schemaOf(values, io);
      const scratch =
        schema !== undefined &&
        storage.sqlStore.dialect === 'postgres' &&
        !(await schemaExists(storage.sqlStore.db, schema));
      return planMigrations(storage.sqlStore, kitiumMigrations, storage.migrationContext(), { scratch });
      // Nothing is created: the file case is planned in memory above, the schema case in a scratch schema.
    },
    { create: true },
  );
  if (values.json) return json(io, { dryRun: true, migrations: plan });
  io.out(`-- dry run: ${plan.length} pending migration(s); nothing was applied`);
  for (const entry of plan) {
    io.out(`-- ${entry.id}`);
    for (const statement of entry.statements) io.out(`${statement};`);
  }
}

export const migrateCommand = defineCommand({
  name: 'migrate',
  summary: 'apply pending migrations, listing each one applied (creates the database file or schema)',
  details: [
    'With --dry-run, prints the SQL the pending migrations would run (from a transaction that is rolled',
    'back) and applies nothing. Data changes print with placeholders, never values.',
  ],
  flags: {
    ...DATABASE_FLAGS,
    'dry-run': { type: 'boolean', help: 'print the SQL of the pending migrations; apply nothing' },
    ...JSON_FLAG,
  },
  run: (values, io) => {
    if (values['dry-run']) return dryRun(values, io);
    return withStorage(
      values,
      io,
      async (storage) => {
        const applied = await storage.migrate();
        if (values.json) return json(io, { applied });
        for (const id of applied) io.out(`applied  ${id}`);
        io.out(
          applied.length > 0 ? `${applied.length} migration(s) applied` : 'up to date: nothing to apply',
        );
      },
      { create: true },
    );
  },
});

export const statusCommand = defineCommand({
  name: 'status',
  summary: 'list applied and pending migrations, in the order they apply (changes nothing)',
  flags: { ...DATABASE_FLAGS, ...JSON_FLAG },
  run: (values, io) =>
    withStorage(values, io, async (storage) => {
      const status = await readMigrationStatus(storage.sqlStore, kitiumMigrations);
      if (values.json) return json(io, status);
      for (const entry of status.applied) io.out(`applied  ${entry.id}  ${entry.appliedAt.toISOString()}`);
      for (const id of status.pending) io.out(`pending  ${id}`);
      io.out(`${status.applied.length} applied, ${status.pending.length} pending`);
    }),
});

export const healthCommand = defineCommand({
  name: 'health',
  summary: 'check that the database answers (exit 1 when it does not)',
  flags: { ...DATABASE_FLAGS, ...JSON_FLAG },
  run: (values, io) =>
    withStorage(values, io, async (storage) => {
      const health = await storage.healthCheck();
      if (values.json) json(io, { database: health.status, latencyMs: health.latencyMs });
      else io.out(`database: ${health.status} (${health.latencyMs.toFixed(1)} ms)`);
      if (health.status !== 'ok') throw new CliError('database is not reachable');
    }),
});

export const sweepCommand = defineCommand({
  name: 'sweep',
  summary: 'delete expired sessions, email tokens, two-factor and SSO sessions in batches',
  flags: {
    ...DATABASE_FLAGS,
    'batch-size': { type: 'string', value: '<n>', help: 'rows deleted per statement (default 1000)' },
    ...PROGRESS_FLAG,
    ...JSON_FLAG,
  },
  run: (values, io) => {
    const text = values['batch-size'];
    if (text !== undefined && !/^[1-9]\d*$/.test(text.trim())) {
      throw new CliError(`--batch-size must be a positive integer (got "${text.slice(0, 20)}")`, 2);
    }
    const batchSize = text === undefined ? 1000 : Number(text);
    if (!Number.isSafeInteger(batchSize)) throw new CliError('--batch-size is too large', 2);
    // A sweep deletes rows; it never migrates: an unmigrated database is reported, not changed.
    const options = { migrations: 'skip' } as const;
    return withStorage(
      values,
      io,
      async (storage) => {
        const { pending } = await readMigrationStatus(storage.sqlStore, kitiumMigrations);
        if (pending.length > 0) throw new ConfigError(notMigrated(pending.length));
        await storage.connect();
        const progress = new ProgressReporter(io, values.progress === true);
        const swept: Record<string, number> = {};
        const counts = await sweepExpired(storage.sqlStore, {
          now: new Date(),
          batchSize,
          onBatch: (table, deleted) => {
            swept[table] = (swept[table] ?? 0) + deleted;
            progress.update(table, swept[table], swept[table], 'deleted so far');
          },
        });
        progress.finish();
        if (values.json) return json(io, { deleted: counts });
        for (const [table, count] of Object.entries(counts))
          io.out(`${table}: ${count} expired rows deleted`);
      },
      options,
    );
  },
});
