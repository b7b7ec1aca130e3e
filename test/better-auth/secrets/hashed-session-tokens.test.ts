import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/index.js';
import {
  authkeepAdapter,
  migrateBetterAuth,
  type AuthkeepAdapterOptions,
} from '../../../src/app/better-auth/index.js';
import { databaseUrl, dropSchema, freshSchemaName, withClient } from '../../support/postgres.js';
import { flowOptions, makeAuth, signIn, signUp } from '../support/auth-flows.js';

/** hashSessionTokens: the database holds digests only; better-auth's flows keep working. */
const dir = mkdtempSync(join(tmpdir(), 'authkeep-ba-hashed-'));
const url = databaseUrl();
const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  rmSync(dir, { recursive: true, force: true });
});

const backends = [
  {
    name: 'sqlite',
    available: true,
    async open() {
      const file = join(dir, `${randomBytes(4).toString('hex')}.db`);
      const options: AuthkeepAdapterOptions = { database: `sqlite:${file}`, hashSessionTokens: true };
      const tokens = async () => {
        const db = new Database(file);
        const rows = db.prepare('select token from session').all() as { token: string }[];
        db.close();
        return rows.map((r) => r.token);
      };
      return { options, tokens };
    },
  },
  {
    name: 'postgres, cache memory',
    available: url !== null,
    async open() {
      const schema = freshSchemaName('ba_hashed');
      await withClient(url!, undefined, (client) => client.query(`create schema "${schema}"`));
      cleanups.push(() => dropSchema(url!, schema));
      const options: AuthkeepAdapterOptions = {
        database: url!,
        schema,
        cache: 'memory',
        hashSessionTokens: true,
      };
      const tokens = () =>
        withClient(url!, schema, async (client) =>
          (await client.query<{ token: string }>('select token from session')).rows.map((r) => r.token),
        );
      return { options, tokens };
    },
  },
];

for (const backend of backends) {
  describe.skipIf(!backend.available)(`hashSessionTokens (${backend.name})`, () => {
    it('stores digests only; sessions work; a stolen digest is no session; listSessions → revokeSession works', async () => {
      const { options, tokens } = await backend.open();
      const adapter = authkeepAdapter({ ...options, logger: silentLogger });
      cleanups.push(() => adapter.close());
      await migrateBetterAuth({ database: adapter.store, options: flowOptions(adapter) });
      const auth = makeAuth(adapter);
      const first = await signUp(auth, 'hashed@example.com');
      const second = await signIn(auth, 'hashed@example.com');
      const third = await signIn(auth, 'hashed@example.com');
      const stored = await tokens();
      expect(stored).toHaveLength(3);
      for (const token of [first.token, second.response.token, third.response.token]) {
        expect(stored).not.toContain(token);
      }
      expect(stored.every((value) => value.startsWith('h1:'))).toBe(true);
      // better-auth is given handles (digest + MAC) as tokens, never what the database holds.
      for (const token of [first.token, second.response.token, third.response.token]) {
        expect(stored).toContain(token.slice(0, token.indexOf('.')));
      }
      expect((await auth.api.getSession({ headers: first.client }))?.session.token).toBe(first.token);

      // What a stolen database gives, looked up the way getSession looks a cookie's token up: nothing.
      // (A handle needs the MAC key, derived from the app's secret, which the database does not hold.)
      const context = await auth.$context;
      for (const value of stored) expect(await context.internalAdapter.findSession(value)).toBeNull();

      // listSessions shows the same handles, which revokeSession accepts.
      const listed = await auth.api.listSessions({ headers: first.client });
      const handles = listed.map((s) => s.token);
      expect(handles).toContain(first.token);
      const others = handles.filter((h) => h !== first.token);
      expect(others).toHaveLength(2);
      await auth.api.revokeSession({ headers: first.client, body: { token: others[0]! } });
      expect(await tokens()).toHaveLength(2);
      await auth.api.revokeOtherSessions({ headers: first.client });
      expect(await tokens()).toHaveLength(1);
      expect(await auth.api.getSession({ headers: second.client })).toBeNull();
      expect(await auth.api.getSession({ headers: third.client })).toBeNull();
      expect(await auth.api.getSession({ headers: first.client })).not.toBeNull();
    });
  });
}
