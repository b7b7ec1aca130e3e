import PostgresAdapter from '@auth/pg-adapter';
import { createHash, randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authkeepAdapter, migrateAuthjs, type AuthkeepAdapter } from '../../src/app/authjs/index.js';
import { silentLogger } from '../../src/index.js';
import { databaseUrl, dropSchema, freshSchemaName, withClient } from '../support/postgres.js';
import { inHours, newAccount, newUser } from './support/records.js';
import { PG_ADAPTER_SCHEMA, PG_SHAPE_QUERY } from './support/upstream-schemas.js';

const url = databaseUrl();

// A database made by @auth/pg-adapter's schema.sql and written by the real PostgresAdapter (1.11.3).
describe.skipIf(url === null)('an existing @auth/pg-adapter database, used in place', () => {
  const schema = freshSchemaName('authjs-pg-in-place');
  let pool: pg.Pool;
  let theirs: ReturnType<typeof PostgresAdapter>;
  let ours: AuthkeepAdapter;
  const options = () => ({ database: url as string, schema, logger: silentLogger });
  const shape = () => withClient(url as string, schema, async (c) => (await c.query(PG_SHAPE_QUERY)).rows);
  const count = (sql: string, params: unknown[]) =>
    withClient(url as string, schema, async (c) => Number((await c.query(sql, params)).rows[0].n));

  beforeAll(async () => {
    await withClient(url as string, undefined, async (client) => {
      await client.query(`create schema "${schema}"`);
      await client.query(`set search_path to "${schema}"`);
      for (const statement of PG_ADAPTER_SCHEMA) await client.query(statement);
    });
    pool = new pg.Pool({ connectionString: url as string, options: `-c search_path=${schema}`, max: 4 });
    theirs = PostgresAdapter(pool);
  });

  afterAll(async () => {
    await ours?.close();
    await pool?.end();
    await dropSchema(url as string, schema);
  });

  it('migrateAuthjs adds authenticators and changes nothing that was there, however often it runs', async () => {
    const before = await shape();
    const reports = await Promise.all([1, 2, 3].map(() => migrateAuthjs(options())));
    expect(reports.flatMap((report) => report.created)).toEqual(['authenticators']);
    const after = await shape();
    const added = after.filter((row) => !before.some((old) => old.item === row.item));
    expect(before.every((old) => after.some((row) => row.item === old.item))).toBe(true);
    expect(added.every((row) => String(row.item).includes('authenticators'))).toBe(true);
    expect((await migrateAuthjs(options())).created).toEqual([]);
    ours = authkeepAdapter(options());
  });

  it('what PostgresAdapter wrote, authkeep reads', async () => {
    const user = await theirs.createUser!(newUser({ emailVerified: new Date('2026-02-03T04:05:06.789Z') }));
    const id = String(user.id);
    expect(await ours.getUser(id)).toEqual({ ...user, id });
    expect(await ours.getUserByEmail(user.email)).toEqual({ ...user, id });
    const account = newAccount(id);
    await theirs.linkAccount!(account);
    expect(await ours.getUserByAccount(account)).toEqual({ ...user, id });
    expect(await ours.getAccount(account.providerAccountId, account.provider)).toEqual(account);
    const session = { sessionToken: randomUUID(), userId: id, expires: inHours(3) };
    await theirs.createSession!(session);
    expect(await ours.getSessionAndUser(session.sessionToken)).toEqual({ session, user: { ...user, id } });
    const token = { identifier: user.email, token: randomUUID(), expires: inHours(1) };
    await theirs.createVerificationToken!(token);
    expect(await ours.useVerificationToken(token)).toEqual(token);
    expect(await theirs.useVerificationToken!(token)).toBeNull();
  });

  it('what authkeep wrote, PostgresAdapter reads', async () => {
    const user = await ours.createUser(newUser());
    const asTheirs = { ...user, id: Number(user.id) };
    expect(await theirs.getUser!(user.id)).toEqual(asTheirs);
    const account = newAccount(user.id);
    await ours.linkAccount(account);
    expect(await theirs.getUserByAccount!(account)).toEqual(asTheirs);
    const session = { sessionToken: randomUUID(), userId: user.id, expires: inHours(2) };
    await ours.createSession(session);
    const read = await theirs.getSessionAndUser!(session.sessionToken);
    expect(read?.user).toEqual(asTheirs);
    expect(read?.session).toMatchObject({ sessionToken: session.sessionToken, expires: session.expires });
    await ours.updateUser({ id: user.id, name: 'Renamed' });
    expect((await theirs.getUser!(user.id))?.name).toBe('Renamed');
    await theirs.deleteSession!(session.sessionToken);
    expect(await ours.getSessionAndUser(session.sessionToken)).toBeNull();
  });

  it('deleteUser removes sessions and accounts although this schema has no foreign keys', async () => {
    const user = await theirs.createUser!(newUser());
    const id = String(user.id);
    await theirs.linkAccount!(newAccount(id));
    await theirs.createSession!({ sessionToken: randomUUID(), userId: id, expires: inHours(1) });
    await ours.deleteUser(id);
    expect(await count(`select count(*) as n from sessions where "userId" = $1`, [user.id])).toBe(0);
    expect(await count(`select count(*) as n from accounts where "userId" = $1`, [user.id])).toBe(0);
  });

  it('hashSessionTokens: migrateAuthjs digests the sessions PostgresAdapter wrote, once', async () => {
    const user = await theirs.createUser!(newUser());
    const tokens = [randomUUID(), randomUUID()];
    for (const sessionToken of tokens)
      await theirs.createSession!({ sessionToken, userId: String(user.id), expires: inHours(1) });
    const first = await migrateAuthjs({ ...options(), hashSessionTokens: true });
    expect(first.convertedSessionTokens).toBeGreaterThanOrEqual(2);
    const again = await migrateAuthjs({ ...options(), hashSessionTokens: true });
    expect(again.convertedSessionTokens).toBe(0);
    const digest = createHash('sha256').update(tokens[0]!).digest('hex');
    expect(await count(`select count(*) as n from sessions where "sessionToken" = $1`, [digest])).toBe(1);
    expect(await count(`select count(*) as n from sessions where "sessionToken" = $1`, [tokens[0]])).toBe(0);
    const hashed = authkeepAdapter({ ...options(), hashSessionTokens: true });
    try {
      const found = await hashed.getSessionAndUser(tokens[0]!);
      expect(found?.session.sessionToken).toBe(tokens[0]);
      expect(found?.user.id).toBe(String(user.id));
      // The clear-token adapter no longer finds it: the column holds digests now.
      expect(await ours.getSessionAndUser(tokens[1]!)).toBeNull();
      expect(await hashed.deleteSession(tokens[1]!)).not.toBeNull();
    } finally {
      await hashed.close();
    }
  });
});
