import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  PostgresStorageAdapter,
  SqliteStorageAdapter,
  silentLogger,
  type KitiumStorageAdapter,
} from '../../src/index.js';
import { databaseUrl, dropSchema, freshSchemaName } from './postgres.js';

/** One database a migration test opens, closes and reopens (a SQLite file, or a PostgreSQL schema). */
export interface MigrationBackend {
  name: string;
  available: boolean;
  open(options?: { migrations?: 'apply' | 'verify' | 'skip' }): KitiumStorageAdapter;
  cleanup(): Promise<void>;
}

/** A fresh SQLite file and a fresh PostgreSQL schema named after `label`, for the tests of one migration. */
export function migrationBackends(label: string, postgres: { max?: number } = {}): MigrationBackend[] {
  const url = databaseUrl();
  const dir = mkdtempSync(join(tmpdir(), `authkeep-${label}-`));
  const schema = freshSchemaName(label);
  return [
    {
      name: 'sqlite file',
      available: true,
      open: (options = {}) =>
        new SqliteStorageAdapter(`sqlite:${join(dir, 'auth.db')}`, { logger: silentLogger, ...options }),
      cleanup: async () => rmSync(dir, { recursive: true, force: true }),
    },
    {
      name: 'postgres',
      available: url !== null,
      open: (options = {}) =>
        new PostgresStorageAdapter(url as string, { schema, logger: silentLogger, ...postgres, ...options }),
      cleanup: () => dropSchema(url as string, schema),
    },
  ];
}
