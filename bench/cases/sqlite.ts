import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import { SqliteStorageAdapter, silentLogger } from '../../src/index.js';
import { compare, type BenchResult } from '../harness.js';
import type { BenchModule } from '../module.js';
import { seedSessions } from './sql.js';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** getSession on a SQLite file against a raw better-sqlite3 prepared statement on the same file. */
async function sqliteCases(file: string): Promise<BenchResult[]> {
  const adapter = new SqliteStorageAdapter(file, { logger: silentLogger });
  await adapter.connect();
  const raw = new Database(file);
  raw.pragma('journal_mode = WAL');
  try {
    const ids = await seedSessions(adapter, 1000);
    let i = 0;
    const nextId = () => ids[i++ % ids.length]!;
    const statement = raw.prepare('select * from sessions where id = ?');
    const rawGet = async () => {
      const id = nextId();
      const row = statement.get(sha256(id)) as Record<string, string>;
      return {
        id,
        userId: row.user_id,
        entitlements: JSON.parse(row.entitlements!),
        expiresAt: new Date(row.expires_at!),
        metadata: row.metadata ? JSON.parse(row.metadata) : undefined,
        createdAt: new Date(row.created_at!),
        updatedAt: new Date(row.updated_at!),
      };
    };
    return [
      await compare(
        'getSession, SQLite file',
        () => adapter.getSession(nextId()),
        'better-sqlite3',
        rawGet,
        0.4,
      ),
    ];
  } finally {
    raw.close();
    await adapter.disconnect();
  }
}

export const sqliteModule: BenchModule = {
  name: 'sqlite',
  summary: 'getSession on a SQLite file against a raw better-sqlite3 prepared statement',
  run: async () => {
    const dir = mkdtempSync(join(tmpdir(), 'authkeep-bench-'));
    try {
      return await sqliteCases(join(dir, 'bench.db'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
