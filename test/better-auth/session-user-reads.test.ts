import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { betterAuth } from 'better-auth';
import type { BetterAuthOptions } from 'better-auth/types';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/index.js';
import { KyselyModelStore } from '../../src/adapters/kysely/model-store/index.js';
import {
  authkeepAdapter,
  migrateBetterAuth,
  type AuthkeepBetterAuthAdapter,
} from '../../src/app/better-auth/index.js';
import {
  BroughtUser,
  SessionUserReads,
  sessionUserTables,
} from '../../src/app/better-auth/session-user-reads.js';
import type { ModelCondition, ModelRow } from '../../src/ports/model-store.js';
import { databaseUrl, dropSchema, freshSchemaName, withClient } from '../support/postgres.js';
import { clientOf, password } from './support/auth-flows.js';

/**
 * Without a cache, getSession's two reads (the session by token, then its user by id) are one statement: the
 * session read brings its user along for the read that follows. No read is ever answered from an older
 * statement than the call before it.
 */
const dir = mkdtempSync(join(tmpdir(), 'authkeep-ba-pair-'));
const url = databaseUrl();
const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  rmSync(dir, { recursive: true, force: true });
});

const options = {
  secret: 'a-test-secret-that-is-long-enough-for-better-auth',
  baseURL: 'http://localhost:3000',
  emailAndPassword: { enabled: true },
  logger: { disabled: true },
} satisfies BetterAuthOptions;

function authOn(adapter: AuthkeepBetterAuthAdapter) {
  return betterAuth({ ...options, database: adapter });
}

async function signUp(auth: ReturnType<typeof authOn>, email: string) {
  const { headers, response } = await auth.api.signUpEmail({
    body: { email, password, name: 'Paired' },
    returnHeaders: true,
  });
  return { client: clientOf(headers), token: response.token!, userId: response.user.id };
}

const eq = (column: string, value: string): ModelCondition[] => [
  { column, operator: 'eq', value, connector: 'AND' },
];

describe.skipIf(url === null)('getSession on PostgreSQL without a cache', () => {
  it('is one statement, and a renamed user is read renamed at once', async () => {
    const schema = freshSchemaName('ba_pair');
    await withClient(url!, undefined, (client) => client.query(`create schema "${schema}"`));
    cleanups.push(() => dropSchema(url!, schema));
    const pool = new pg.Pool({ connectionString: url!, options: `-c search_path=${schema}` });
    cleanups.push(() => pool.end());
    let statements = 0;
    const query = pool.query.bind(pool);
    pool.query = ((...args: Parameters<typeof query>) => {
      statements += 1;
      return query(...args);
    }) as typeof pool.query;
    const adapter = authkeepAdapter({ database: pool, logger: silentLogger });
    cleanups.push(() => adapter.close());
    await migrateBetterAuth({ database: adapter.store, options });
    const auth = authOn(adapter);
    const { client, token } = await signUp(auth, 'paired@example.com');
    await auth.api.getSession({ headers: client });

    statements = 0;
    const read = await auth.api.getSession({ headers: client });
    expect(read?.user.email).toBe('paired@example.com');
    expect(statements).toBe(1);

    await auth.api.updateUser({ headers: client, body: { name: 'Renamed' } });
    statements = 0;
    expect((await auth.api.getSession({ headers: client }))?.user.name).toBe('Renamed');
    expect(statements).toBe(1);

    // A session read that did not ask for its user reads the session alone, as it is stored.
    const alone = await adapter(options).findOne<ModelRow>({
      model: 'session',
      where: [{ field: 'token', value: token }],
    });
    expect(Object.keys(alone!).sort()).toEqual(
      ['createdAt', 'expiresAt', 'id', 'ipAddress', 'token', 'updatedAt', 'userAgent', 'userId'].sort(),
    );
  });
});

describe('the user a session read brings along (SQLite, where every statement runs at once)', () => {
  async function setUp() {
    const file = join(dir, `${randomBytes(4).toString('hex')}.db`);
    const adapter = authkeepAdapter({ database: `sqlite:${file}`, logger: silentLogger });
    cleanups.push(() => adapter.close());
    await migrateBetterAuth({ database: adapter.store, options });
    const auth = authOn(adapter);
    const ada = await signUp(auth, 'ada@example.com');
    const bob = await signUp(auth, 'bob@example.com');
    const brought = new BroughtUser();
    const reads = new SessionUserReads(
      new KyselyModelStore(adapter.store),
      sessionUserTables(options, false)!,
      brought,
    );
    const sessionOf = (token: string) =>
      brought.asking(true, () => reads.findOne('session', { where: eq('token', token), idColumn: 'id' }));
    const userById = (id: string) => reads.findOne('user', { where: eq('id', id), idColumn: 'id' });
    return { file, auth, adapter, ada, bob, reads, sessionOf, userById };
  }

  it('serves concurrent getSessions each their own user', async () => {
    const { auth, ada, bob } = await setUp();
    const reads = await Promise.all(
      [ada, bob, ada, bob].map(({ client }) => auth.api.getSession({ headers: client })),
    );
    expect(reads.map((read) => read?.user.email)).toEqual([
      'ada@example.com',
      'bob@example.com',
      'ada@example.com',
      'bob@example.com',
    ]);
  });

  it('answers the read that follows from the session read’s statement, and only that read', async () => {
    const { file, ada, bob, sessionOf, userById } = await setUp();
    const behind = (name: string) => {
      const db = new Database(file);
      db.prepare('update "user" set name = ? where id = ?').run(name, ada.userId);
      db.close();
    };
    await sessionOf(ada.token);
    behind('Behind');
    // The snapshot the session's statement read (as a join would), for the read that continues it…
    expect((await userById(ada.userId))?.name).toBe('Paired');
    // …and for no other: the next read is the database's.
    expect((await userById(ada.userId))?.name).toBe('Behind');
    await sessionOf(ada.token);
    behind('Again');
    // Another user's read is answered by the database, and empties the slot.
    expect((await userById(bob.userId))?.email).toBe('bob@example.com');
    expect((await userById(ada.userId))?.name).toBe('Again');
  });

  it('is dropped by a write through the adapter', async () => {
    const { ada, reads, sessionOf, userById } = await setUp();
    await sessionOf(ada.token);
    await reads.update('user', eq('id', ada.userId), { name: 'Written' }, false);
    expect((await userById(ada.userId))?.name).toBe('Written');
  });

  it('lasts one turn: a change made behind the adapter afterwards is read', async () => {
    const { file, ada, sessionOf, userById } = await setUp();
    await sessionOf(ada.token);
    await new Promise((resolve) => setImmediate(resolve));
    const db = new Database(file);
    db.prepare('update "user" set name = ? where id = ?').run('Behind', ada.userId);
    db.close();
    expect((await userById(ada.userId))?.name).toBe('Behind');
  });
});
