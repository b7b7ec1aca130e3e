import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authkeepAdapter, migrateAuthjs, type AuthkeepAdapter } from '../../src/app/authjs/index.js';
import { silentLogger } from '../../src/index.js';
import { databaseUrl, dropSchema, freshSchemaName, withClient } from '../support/postgres.js';
import { createUser, inHours } from './support/records.js';

const url = databaseUrl();

/** Every statement the pool's connections send, as pg's query config (text and, when prepared, its name). */
function countingPool(schema: string, seen: { text: string; name?: string }[]): pg.Pool {
  const pool = new pg.Pool({ connectionString: url as string, options: `-c search_path=${schema}`, max: 2 });
  pool.on('connect', (client) => {
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as unknown as { query: unknown }).query = (config: unknown, ...rest: unknown[]) => {
      const statement =
        typeof config === 'string' ? { text: config } : (config as { text: string; name?: string });
      seen.push({ text: statement.text, ...(statement.name ? { name: statement.name } : {}) });
      return query(config, ...rest);
    };
  });
  return pool;
}

describe.skipIf(url === null)('getSessionAndUser is one round trip', () => {
  const schema = freshSchemaName('authjs-round-trips');
  const seen: { text: string; name?: string }[] = [];
  let pool: pg.Pool;
  let adapter: AuthkeepAdapter;

  beforeAll(async () => {
    await withClient(url as string, undefined, (client) => client.query(`create schema "${schema}"`));
    pool = countingPool(schema, seen);
    await migrateAuthjs({ database: pool, logger: silentLogger });
    adapter = authkeepAdapter({ database: pool, logger: silentLogger });
  });

  afterAll(async () => {
    await adapter?.close();
    await pool?.end();
    await dropSchema(url as string, schema);
  });

  it('one joined statement, sent as a named prepared statement, for a hit and for a miss', async () => {
    const user = await createUser(adapter);
    const sessionToken = randomUUID();
    await adapter.createSession({ sessionToken, userId: user.id, expires: inHours(1) });
    for (const token of [sessionToken, sessionToken, randomUUID()]) {
      seen.length = 0;
      await adapter.getSessionAndUser(token);
      expect(seen).toHaveLength(1);
      expect(seen[0]!.text).toMatch(/from "sessions" inner join "users"/);
      expect(seen[0]!.name).toMatch(/^ak_/);
    }
  });
});
