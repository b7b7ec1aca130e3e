import { KyselyAdapter } from '@auth/kysely-adapter';
import type { Adapter } from '@auth/core/adapters';
import Database from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authkeepAdapter, migrateAuthjs, type AuthkeepAdapter } from '../../src/app/authjs/index.js';
import { silentLogger } from '../../src/index.js';
import { databaseUrl, dropSchema, freshSchemaName } from '../support/postgres.js';
import { inHours, newAccount, newUser } from './support/records.js';
import { kyselyAdapterSchema } from './support/upstream-schemas.js';

interface Place {
  name: string;
  available: boolean;
  /** Creates the documented schema and returns a Kysely on it, the database option for authkeep, and cleanup. */
  open(): Promise<{ db: Kysely<never>; database: string; extra: object; cleanup(): Promise<void> }>;
}

const places: Place[] = [
  {
    name: 'sqlite',
    available: true,
    async open() {
      const dir = mkdtempSync(join(tmpdir(), 'authkeep-kysely-'));
      const file = join(dir, 'auth.db');
      const db = new Kysely<never>({ dialect: new SqliteDialect({ database: new Database(file) }) });
      for (const statement of kyselyAdapterSchema('sqlite')) await sql.raw(statement).execute(db);
      return {
        db,
        database: `sqlite:${file}`,
        extra: {},
        async cleanup() {
          await db.destroy();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  },
  {
    name: 'postgres',
    available: databaseUrl() !== null,
    async open() {
      const url = databaseUrl() as string;
      const schema = freshSchemaName('authjs-kysely-in-place');
      const pool = new pg.Pool({ connectionString: url, options: `-c search_path=${schema}`, max: 4 });
      const db = new Kysely<never>({ dialect: new PostgresDialect({ pool }) });
      await sql.raw(`create schema "${schema}"`).execute(db);
      for (const statement of kyselyAdapterSchema('postgres')) await sql.raw(statement).execute(db);
      return {
        db,
        database: url,
        extra: { schema },
        async cleanup() {
          await db.destroy();
          await dropSchema(url, schema);
        },
      };
    },
  },
];

// A database made from @auth/kysely-adapter's documented schema and written by the real KyselyAdapter (1.11.2).
for (const place of places) {
  describe.skipIf(!place.available)(
    `an existing @auth/kysely-adapter database, used in place [${place.name}]`,
    () => {
      let opened: Awaited<ReturnType<Place['open']>>;
      let theirs: Adapter;
      let ours: AuthkeepAdapter;
      const options = () => ({
        database: opened.database,
        tables: 'kysely-adapter' as const,
        logger: silentLogger,
        ...opened.extra,
      });

      beforeAll(async () => {
        opened = await place.open();
        theirs = KyselyAdapter(opened.db as never);
      });

      afterAll(async () => {
        await ours?.close();
        await opened?.cleanup();
      });

      it('migrateAuthjs adds only the Authenticator table', async () => {
        // In sequence: two SQLite connections in one process would wait on each other's busy handler.
        expect((await migrateAuthjs(options())).created).toEqual(['Authenticator']);
        expect((await migrateAuthjs(options())).created).toEqual([]);
        ours = authkeepAdapter(options());
      });

      it('what KyselyAdapter wrote, authkeep reads', async () => {
        const user = await theirs.createUser!(
          newUser({ emailVerified: new Date('2026-02-03T04:05:06.789Z') }),
        );
        expect(await ours.getUser(user.id)).toEqual(user);
        const account = newAccount(user.id);
        await theirs.linkAccount!(account);
        expect(await ours.getUserByAccount(account)).toEqual(user);
        expect(await ours.getAccount(account.providerAccountId, account.provider)).toEqual(account);
        const session = { sessionToken: randomUUID(), userId: user.id, expires: inHours(3) };
        await theirs.createSession!(session);
        expect(await ours.getSessionAndUser(session.sessionToken)).toEqual({ session, user });
        const token = { identifier: user.email, token: randomUUID(), expires: inHours(1) };
        await theirs.createVerificationToken!(token);
        expect(await ours.useVerificationToken(token)).toEqual(token);
      });

      it('what authkeep wrote, KyselyAdapter reads', async () => {
        const user = await ours.createUser(newUser({ emailVerified: new Date('2026-05-06T07:08:09.010Z') }));
        expect(await theirs.getUser!(user.id)).toEqual(user);
        const account = newAccount(user.id);
        await ours.linkAccount(account);
        expect(await theirs.getUserByAccount!(account)).toEqual(user);
        const session = { sessionToken: randomUUID(), userId: user.id, expires: inHours(2) };
        await ours.createSession(session);
        expect(await theirs.getSessionAndUser!(session.sessionToken)).toEqual({ session, user });
        const token = { identifier: user.email, token: randomUUID(), expires: inHours(1) };
        await ours.createVerificationToken(token);
        expect(await theirs.useVerificationToken!(token)).toEqual(token);
        await ours.deleteUser(user.id);
        expect(await theirs.getUser!(user.id)).toBeNull();
      });
    },
  );
}
