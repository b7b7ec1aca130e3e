import { kitiumMigrations } from '../../../migrations/index.js';
import { migrationStatus, planMigrations } from '../../adapters/kysely/index.js';
import { sweepExpired } from '../../adapters/kysely/sweeper.js';
import type { KitiumStorageAdapter } from '../kitium/kitium-adapter.js';
import { defineCommand } from './command.js';
import { DATABASE_FLAGS, openStorage } from './common.js';
import { JSON_FLAG } from './flags.js';
import { CliError, type CliIo } from './io.js';
import { PROGRESS_FLAG, ProgressReporter } from './progress.js';

type DatabaseValues = { database?: string; schema?: string; redis?: string };

export async function withStorage<T>(
  values: DatabaseValues,
  io: CliIo,
  work: (storage: KitiumStorageAdapter) => Promise<T>,
): Promise<T> {
  const storage = openStorage(values, io);
  try {
    return await work(storage);
  } finally {
    await storage.disconnect();
  }
}

const json = (io: CliIo, value: unknown) => io.out(JSON.stringify(value));

export const migrateCommand = defineCommand({
  name: 'migrate',
  summary: 'apply pending migrations, listing each one applied',
  details: [
    'With --dry-run, prints the SQL the pending migrations would run (from a transaction that is rolled',
    'back) and applies nothing. Data changes print with placeholders, never values.',
  ],
  flags: {
    ...DATABASE_FLAGS,
    'dry-run': { type: 'boolean', help: 'print the SQL of the pending migrations; apply nothing' },
    ...JSON_FLAG,
  },
  run: (values, io) =>
    withStorage(values, io, async (storage) => {
      if (values['dry-run']) {
        const plan = await planMigrations(storage.sqlStore, kitiumMigrations, storage.migrationContext());
        if (values.json) return json(io, { dryRun: true, migrations: plan });
        io.out(`-- dry run: ${plan.length} pending migration(s); nothing was applied`);
        for (const entry of plan) {
          io.out(`-- ${entry.id}`);
          for (const statement of entry.statements) io.out(`${statement};`);
        }
        return;
      }
      const applied = await storage.migrate();
      if (values.json) return json(io, { applied });
      for (const id of applied) io.out(`applied  ${id}`);
      io.out(applied.length > 0 ? `${applied.length} migration(s) applied` : 'up to date: nothing to apply');
    }),
});

export const statusCommand = defineCommand({
  name: 'status',
  summary: 'list applied and pending migrations',
  flags: { ...DATABASE_FLAGS, ...JSON_FLAG },
  run: (values, io) =>
    withStorage(values, io, async (storage) => {
      const status = await migrationStatus(storage.sqlStore, kitiumMigrations);
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
    const batchSize = values['batch-size'] === undefined ? 1000 : Number(values['batch-size']);
    if (!Number.isSafeInteger(batchSize) || batchSize <= 0)
      throw new CliError('--batch-size must be a positive integer', 2);
    return withStorage(values, io, async (storage) => {
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
      for (const [table, count] of Object.entries(counts)) io.out(`${table}: ${count} expired rows deleted`);
    });
  },
});
