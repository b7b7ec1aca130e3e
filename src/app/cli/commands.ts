import { kitiumMigrations } from '../../../migrations/index.js';
import { migrationStatus } from '../../adapters/kysely/index.js';
import { sweepExpired } from '../../adapters/kysely/sweeper.js';
import type { KitiumStorageAdapter } from '../kitium/kitium-adapter.js';
import { DATABASE_OPTION, openStorage, parse } from './common.js';
import { CliError, type CliIo } from './io.js';

async function withStorage<T>(
  argv: string[],
  io: CliIo,
  work: (storage: KitiumStorageAdapter) => Promise<T>,
) {
  const { values } = parse(argv, DATABASE_OPTION);
  const storage = openStorage(values, io);
  try {
    return await work(storage);
  } finally {
    await storage.disconnect();
  }
}

export function migrateCommand(argv: string[], io: CliIo): Promise<void> {
  return withStorage(argv, io, async (storage) => {
    await storage.connect();
    io.out('migrations: up to date');
  });
}

export function statusCommand(argv: string[], io: CliIo): Promise<void> {
  return withStorage(argv, io, async (storage) => {
    const status = await migrationStatus(storage.sqlStore, kitiumMigrations);
    for (const entry of status.applied) io.out(`applied  ${entry.id}  ${entry.appliedAt.toISOString()}`);
    for (const id of status.pending) io.out(`pending  ${id}`);
    io.out(`${status.applied.length} applied, ${status.pending.length} pending`);
  });
}

export function healthCommand(argv: string[], io: CliIo): Promise<void> {
  return withStorage(argv, io, async (storage) => {
    const health = await storage.healthCheck();
    io.out(`database: ${health.status} (${health.latencyMs.toFixed(1)} ms)`);
    if (health.status !== 'ok') throw new CliError('database is not reachable');
  });
}

export async function sweepCommand(argv: string[], io: CliIo): Promise<void> {
  const { values } = parse(argv, { ...DATABASE_OPTION, 'batch-size': { type: 'string' } });
  const batchSize = values['batch-size'] === undefined ? 1000 : Number(values['batch-size']);
  if (!Number.isSafeInteger(batchSize) || batchSize <= 0)
    throw new CliError('--batch-size must be a positive integer', 2);
  const storage = openStorage(values, io);
  try {
    await storage.connect();
    const counts = await sweepExpired(storage.sqlStore, {
      now: new Date(),
      batchSize,
      onBatch: (table, deleted) => io.err(`swept ${deleted} from ${table}`),
    });
    for (const [table, count] of Object.entries(counts)) io.out(`${table}: ${count} expired rows deleted`);
  } finally {
    await storage.disconnect();
  }
}
