import { randomBytes, createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import pg from 'pg';
import { PostgresStorageAdapter, SqliteStorageAdapter, silentLogger } from '../../src/index.js';
import { compare, ratioResult, type BenchResult } from '../harness.js';

const POOL = 10;
const CONCURRENCY = 16;
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

async function seedSessions(adapter: { createSession: PostgresStorageAdapter['createSession'] }, n: number) {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const s = await adapter.createSession({
      userId: `user-${i}`,
      entitlements: ['a', 'b'],
      metadata: { ip: '10.0.0.1' },
      expiresAt: new Date(Date.now() + 86_400_000),
    });
    ids.push(s.id);
  }
  return ids;
}

/** getSession / createSession on PostgreSQL against raw pg named statements, and upstream's per-query pattern. */
export async function postgresCases(url: string): Promise<BenchResult[]> {
  const schema = `bench_${randomBytes(4).toString('hex')}`;
  const adapter = new PostgresStorageAdapter(url, { schema, max: POOL, logger: silentLogger });
  await adapter.connect();
  const raw = new pg.Pool({
    connectionString: url,
    max: POOL,
    options: `-c search_path=${schema}`,
    statement_timeout: 5000,
  });
  try {
    const ids = await seedSessions(adapter, 1000);
    let i = 0;
    const nextId = () => ids[i++ % ids.length]!;
    const rawGet = async () => {
      const id = nextId();
      const { rows } = await raw.query({
        name: 'raw_get_session',
        text: 'select * from sessions where id = $1',
        values: [sha256(id)],
      });
      const row = rows[0];
      return {
        id,
        userId: row.user_id,
        entitlements: row.entitlements,
        expiresAt: row.expires_at,
        metadata: row.metadata,
        createdAt: row.created_at,
        updatedAt: row.updated_at,
      };
    };
    const results: BenchResult[] = [];
    results.push(
      ratioResult(
        'getSession, PostgreSQL, no cache',
        await compare(() => adapter.getSession(nextId()), rawGet, { concurrency: CONCURRENCY }),
        0.85,
      ),
    );

    const rawInsert = async () => {
      const id = randomBytes(32).toString('base64url');
      const now = new Date();
      await raw.query({
        name: 'raw_insert_session',
        text: 'insert into sessions (id, user_id, org_id, plan, entitlements, expires_at, metadata, created_at, updated_at) values ($1, $2, $3, $4, $5, $6, $7, $8, $9)',
        values: [
          sha256(id),
          'user-x',
          null,
          null,
          ['a', 'b'],
          new Date(Date.now() + 86_400_000),
          JSON.stringify({ ip: '10.0.0.1' }),
          now,
          now,
        ],
      });
      return id;
    };
    const oursInsert = () =>
      adapter.createSession({
        userId: 'user-x',
        entitlements: ['a', 'b'],
        metadata: { ip: '10.0.0.1' },
        expiresAt: new Date(Date.now() + 86_400_000),
      });
    results.push(
      ratioResult(
        'createSession, PostgreSQL',
        await compare(oursInsert, rawInsert, { concurrency: CONCURRENCY }),
        0.85,
      ),
    );

    // Upstream @kitiumai/auth-postgres wraps every query: BEGIN; SET LOCAL statement_timeout; query; COMMIT.
    const upstreamGet = async () => {
      const client = await raw.connect();
      try {
        await client.query('BEGIN');
        await client.query('SET LOCAL statement_timeout = 5000');
        const { rows } = await client.query('SELECT * FROM sessions WHERE id = $1', [sha256(nextId())]);
        await client.query('COMMIT');
        return rows[0];
      } finally {
        client.release();
      }
    };
    results.push(
      ratioResult(
        'getSession, PostgreSQL vs upstream pattern',
        await compare(() => adapter.getSession(nextId()), upstreamGet, { concurrency: CONCURRENCY }),
        3.0,
      ),
    );
    return results;
  } finally {
    await raw.end();
    await adapter.disconnect();
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`drop schema if exists ${schema} cascade`);
    await admin.end();
  }
}

/** getSession on a SQLite file against a raw better-sqlite3 prepared statement on the same file. */
export async function sqliteCases(file: string): Promise<BenchResult[]> {
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
      ratioResult('getSession, SQLite file', await compare(() => adapter.getSession(nextId()), rawGet), 0.5),
    ];
  } finally {
    raw.close();
    await adapter.disconnect();
  }
}
