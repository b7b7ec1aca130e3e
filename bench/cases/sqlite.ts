import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { SqliteStorageAdapter, silentLogger } from '../../src/index.js';
import { compare, type BenchResult } from '../harness.js';
import type { BenchModule } from '../module.js';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const SESSIONS = Number(process.env.BENCH_SQLITE_SESSIONS ?? 100_000);

/**
 * One session through the adapter, then copies of its stored row under new token digests in one
 * transaction: the same rows createSession writes, seeded in a second instead of a minute.
 */
async function seedSessions(adapter: SqliteStorageAdapter, raw: Database.Database, n: number) {
  const first = await adapter.createSession({
    userId: 'user-0',
    entitlements: ['a', 'b'],
    metadata: { ip: '10.0.0.1' },
    expiresAt: new Date(Date.now() + 86_400_000),
  });
  const row = raw.prepare('select * from sessions where id = ?').get(sha256(first.id)) as Record<
    string,
    unknown
  >;
  const columns = Object.keys(row);
  const insert = raw.prepare(
    `insert into sessions (${columns.join(', ')}) values (${columns.map((c) => `@${c}`).join(', ')})`,
  );
  const ids = [first.id];
  raw.transaction(() => {
    for (let i = 1; i < n; i++) {
      const id = randomBytes(32).toString('base64url');
      insert.run({ ...row, id: sha256(id), user_id: `user-${i}` });
      ids.push(id);
    }
  })();
  return ids;
}

/** getSession on a SQLite file against a raw better-sqlite3 prepared statement on the same file. */
async function sqliteCases(file: string): Promise<BenchResult[]> {
  const adapter = new SqliteStorageAdapter(file, { logger: silentLogger });
  await adapter.connect();
  const raw = new Database(file);
  raw.pragma('journal_mode = WAL');
  try {
    const ids = await seedSessions(adapter, raw, SESSIONS);
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
        0.3,
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
