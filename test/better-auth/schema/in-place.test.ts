import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { betterAuth } from 'better-auth';
import { getMigrations } from 'better-auth/db/migration';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/index.js';
import { authkeepAdapter, type AuthkeepBetterAuthAdapter } from '../../../src/app/better-auth/index.js';
import { databaseUrl, dropSchema, freshSchemaName, withClient } from '../../support/postgres.js';
import { flowOptions, makeAuth, signIn, signUp } from '../support/auth-flows.js';

/**
 * A database better-auth made and wrote with its own Kysely adapter (better-auth 1.7.25 given a pg.Pool or a
 * better-sqlite3 Database) is used in place by authkeepAdapter, and the other way round: no data change.
 */
const dir = mkdtempSync(join(tmpdir(), 'authkeep-ba-in-place-'));
const url = databaseUrl();
const closers: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const close of closers.reverse()) await close();
  rmSync(dir, { recursive: true, force: true });
});

interface Pair {
  /** better-auth's own adapter on the database. */
  theirs: ReturnType<typeof makeAuth>;
  ours: ReturnType<typeof makeAuth>;
}

async function pairOn(
  database: pg.Pool | Database.Database,
  adapter: AuthkeepBetterAuthAdapter,
): Promise<Pair> {
  const { database: _ours, ...options } = flowOptions(adapter);
  const theirOptions = { ...options, database };
  await (await getMigrations(theirOptions)).runMigrations();
  // theirs: better-auth's own adapter on the same database (typed as ours: the same options and plugins).
  return {
    theirs: betterAuth(theirOptions) as unknown as ReturnType<typeof makeAuth>,
    ours: makeAuth(adapter),
  };
}

const backends = [
  {
    name: 'sqlite',
    available: true,
    async open() {
      const file = join(dir, 'auth.db');
      const database = new Database(file);
      const adapter = authkeepAdapter({ database: `sqlite:${file}`, logger: silentLogger, cache: 'memory' });
      closers.push(
        async () => database.close(),
        () => adapter.close(),
      );
      return pairOn(database, adapter);
    },
  },
  {
    name: 'postgres',
    available: url !== null,
    async open() {
      const schema = freshSchemaName('ba_in_place');
      await withClient(url!, undefined, (client) => client.query(`create schema "${schema}"`));
      const pool = new pg.Pool({ connectionString: url!, options: `-c search_path=${schema}` });
      const adapter = authkeepAdapter({ database: url!, schema, logger: silentLogger, cache: 'memory' });
      closers.push(
        () => dropSchema(url!, schema),
        () => pool.end(),
        () => adapter.close(),
      );
      return pairOn(pool, adapter);
    },
  },
];

for (const backend of backends) {
  describe.skipIf(!backend.available)(`a better-auth database used in place (${backend.name})`, () => {
    it('users, accounts and sessions better-auth wrote serve authkeepAdapter, and the reverse', async () => {
      const { theirs, ours } = await backend.open();
      // Written by better-auth's own adapter; signed in, read and revoked through ours.
      const old = await signUp(theirs, 'old@example.com');
      const read = await ours.api.getSession({ headers: old.client });
      expect(read?.user).toMatchObject({ id: old.userId, email: 'old@example.com', emailVerified: false });
      expect(read?.session.expiresAt).toBeInstanceOf(Date);
      const again = await signIn(ours, 'old@example.com');
      expect((await ours.api.listSessions({ headers: again.client })).length).toBe(2);
      // Written by ours; read, listed and revoked through theirs.
      const fresh = await signUp(ours, 'new@example.com');
      const theirRead = await theirs.api.getSession({ headers: fresh.client });
      expect(theirRead?.user).toMatchObject({ id: fresh.userId, email: 'new@example.com' });
      const theirSignIn = await signIn(theirs, 'new@example.com');
      await theirs.api.revokeOtherSessions({ headers: theirSignIn.client });
      expect(await ours.api.getSession({ headers: fresh.client })).toBeNull();
      expect(await ours.api.getSession({ headers: theirSignIn.client })).not.toBeNull();
    });
  });
}
