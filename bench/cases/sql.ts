import { randomBytes, createHash } from 'node:crypto';
import pg from 'pg';
import { PostgresStorageAdapter, silentLogger } from '../../src/index.js';
import { compare, type BenchResult } from '../harness.js';
import type { BenchModule } from '../module.js';

const POOL = 10;
const CONCURRENCY = 16;
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

export async function seedSessions(
  adapter: { createSession: PostgresStorageAdapter['createSession'] },
  n: number,
) {
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

/** getSession / createSession on PostgreSQL against raw pg named statements. */
async function postgresCases(url: string): Promise<BenchResult[]> {
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
    const options = { concurrency: CONCURRENCY };
    results.push(
      await compare(
        'getSession, PostgreSQL, no cache',
        () => adapter.getSession(nextId()),
        'pg',
        rawGet,
        0.7,
        options,
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
    results.push(await compare('createSession, PostgreSQL', oursInsert, 'pg', rawInsert, 0.7, options));

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

export const postgresModule: BenchModule = {
  name: 'postgres',
  summary: 'getSession and createSession on PostgreSQL against raw pg named statements',
  run: (context) => postgresCases(context.databaseUrl),
};
