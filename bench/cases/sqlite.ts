import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { SqliteStorageAdapter, silentLogger } from '../../src/index.js';
import { compare, type BenchResult } from '../harness.js';
import type { BenchModule } from '../module.js';

/** authkeep's stored key of a session token: its SHA-256, 32 bytes (migration 0009). */
const sha256 = (text: string) => createHash('sha256').update(text).digest();
const SESSIONS = Number(process.env.BENCH_SQLITE_SESSIONS ?? 100_000);
const USERS = Number(process.env.BENCH_SQLITE_USERS ?? 50_000);
const emailOf = (i: number) => `user${i}@example.com`;

/** Copies of one row made through the adapter, changed by `vary`, in one transaction (seconds, not minutes). */
function cloneRows(
  raw: Database.Database,
  table: string,
  row: Record<string, unknown>,
  n: number,
  vary: (i: number) => Record<string, unknown>,
) {
  const columns = Object.keys(row);
  const insert = raw.prepare(
    `insert into ${table} (${columns.join(', ')}) values (${columns.map((c) => `@${c}`).join(', ')})`,
  );
  raw.transaction(() => {
    for (let i = 1; i < n; i++) insert.run({ ...row, ...vary(i) });
  })();
}

/** Sessions as createSession writes them: tokens in the first one's bucket, keyed by their digests. */
async function seedSessions(adapter: SqliteStorageAdapter, raw: Database.Database, n: number) {
  const first = await adapter.createSession({
    userId: 'user-0',
    entitlements: ['a', 'b'],
    metadata: { ip: '10.0.0.1' },
    expiresAt: new Date(Date.now() + 86_400_000),
  });
  const suffix = first.id.slice(first.id.lastIndexOf('.'));
  const row = raw.prepare('select * from sessions where id = ?').get(sha256(first.id)) as Record<
    string,
    unknown
  >;
  const ids = [first.id];
  for (let i = 1; i < n; i++) ids.push(`${randomBytes(32).toString('base64url')}${suffix}`);
  cloneRows(raw, 'sessions', row, n, (i) => ({ id: sha256(ids[i]!), user_id: `user-${i}` }));
  return ids;
}

/** Users as createUser writes them, `user<i>@example.com`. */
async function seedUsers(adapter: SqliteStorageAdapter, raw: Database.Database, n: number) {
  const first = await adapter.createUser({ email: emailOf(0), name: 'User 0', entitlements: ['a'] });
  const row = raw.prepare('select * from users where id = ?').get(first.id) as Record<string, unknown>;
  cloneRows(raw, 'users', row, n, (i) => ({
    id: `${first.id.slice(0, -12)}${String(i).padStart(12, '0')}`,
    email: emailOf(i),
    email_normalized: emailOf(i),
    name: `User ${i}`,
  }));
}

/**
 * About 0.9 × the lowest round of three consecutive `--only=sqlite` runs after the first-row read path
 * (lowest rounds getSession 0.72, getUserByEmail 0.83, medians 0.89–0.90 and 0.88–0.92, load 2.6–3.4;
 * 2026-12-07), so a 15–20% regression fails; the issue's target (≥ 0.85) is in bench/targets.ts.
 */
const BARS = { getSession: 0.65, getUserByEmail: 0.75 };

const date = (value: unknown) => new Date(value as string);

/**
 * getSession and getUserByEmail on a SQLite file against raw better-sqlite3 prepared statements on the same
 * file, each row mapped by hand to the record the adapter returns (the columns it fills).
 */
async function sqliteCases(file: string): Promise<BenchResult[]> {
  const adapter = new SqliteStorageAdapter(file, { logger: silentLogger });
  await adapter.connect();
  const raw = new Database(file);
  raw.pragma('journal_mode = WAL');
  try {
    const ids = await seedSessions(adapter, raw, SESSIONS);
    await seedUsers(adapter, raw, USERS);
    let i = 0;
    const nextId = () => ids[(i++ * 7919) % ids.length]!;
    let u = 0;
    const nextEmail = () => emailOf((u++ * 7919) % USERS);
    const session = raw.prepare('select * from sessions where id = ?');
    const user = raw.prepare('select * from users where email_normalized = ?');
    const rawGetSession = async () => {
      const id = nextId();
      const row = session.get(sha256(id)) as Record<string, string | null>;
      return {
        id,
        userId: row.user_id,
        entitlements: JSON.parse(row.entitlements!),
        expiresAt: date(row.expires_at),
        metadata: row.metadata ? JSON.parse(row.metadata) : undefined,
        createdAt: date(row.created_at),
        updatedAt: date(row.updated_at),
      };
    };
    const rawGetUser = async () => {
      const row = user.get(nextEmail()) as Record<string, string | null>;
      return {
        id: row.id,
        email: row.email,
        name: row.name,
        entitlements: JSON.parse(row.entitlements!),
        createdAt: date(row.created_at),
        updatedAt: date(row.updated_at),
      };
    };
    const found = (value: unknown) => {
      if (!value) throw new Error('bench: a seeded SQLite row was not found');
      return value;
    };
    return [
      await compare(
        'getSession, SQLite file',
        async () => found(await adapter.getSession(nextId())),
        'better-sqlite3',
        rawGetSession,
        BARS.getSession,
      ),
      await compare(
        'getUserByEmail, SQLite file',
        async () => found(await adapter.getUserByEmail(nextEmail())),
        'better-sqlite3',
        rawGetUser,
        BARS.getUserByEmail,
      ),
    ];
  } finally {
    raw.close();
    await adapter.disconnect();
  }
}

export const sqliteModule: BenchModule = {
  name: 'sqlite',
  summary: 'getSession and getUserByEmail on a SQLite file against raw better-sqlite3 prepared statements',
  run: async () => {
    const dir = mkdtempSync(join(tmpdir(), 'authkeep-bench-'));
    try {
      return await sqliteCases(join(dir, 'bench.db'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
