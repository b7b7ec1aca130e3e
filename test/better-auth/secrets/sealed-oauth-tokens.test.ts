import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { BetterAuthOptions } from 'better-auth/types';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/index.js';
import {
  authkeepAdapter,
  migrateBetterAuth,
  type AuthkeepAdapterOptions,
} from '../../../src/app/better-auth/index.js';
import { databaseUrl, dropSchema, freshSchemaName, withClient } from '../../support/postgres.js';

/** sealOAuthTokens: account tokens sealed with authkeep's keyring, bound to their row; clear rows adopted. */
const dir = mkdtempSync(join(tmpdir(), 'authkeep-ba-sealed-'));
const url = databaseUrl();
const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  rmSync(dir, { recursive: true, force: true });
});
const options: BetterAuthOptions = { secret: 'a-test-secret-that-is-long-enough-for-better-auth' };
const encryptionKeys = `k1:${randomBytes(32).toString('base64')}`;

type Sql = (sql: string, values: unknown[]) => Promise<Record<string, unknown>[]>;
const backends: {
  name: string;
  available: boolean;
  open(): Promise<{ adapter: AuthkeepAdapterOptions; sql: Sql }>;
}[] = [
  {
    name: 'sqlite',
    available: true,
    async open() {
      const file = join(dir, `${randomBytes(4).toString('hex')}.db`);
      const sql: Sql = async (text, values) => {
        const db = new Database(file);
        try {
          const statement = db.prepare(text.replaceAll(/\$\d+/g, '?'));
          return statement.reader
            ? (statement.all(...values) as Record<string, unknown>[])
            : (statement.run(...values), []);
        } finally {
          db.close();
        }
      };
      return { adapter: { database: `sqlite:${file}` }, sql };
    },
  },
  {
    name: 'postgres, cache memory',
    available: url !== null,
    async open() {
      const schema = freshSchemaName('ba_sealed');
      await withClient(url!, undefined, (client) => client.query(`create schema "${schema}"`));
      cleanups.push(() => dropSchema(url!, schema));
      const sql: Sql = (text, values) =>
        withClient(url!, schema, async (c) => (await c.query(text, values)).rows);
      return { adapter: { database: url!, schema, cache: 'memory' }, sql };
    },
  },
];

for (const backend of backends) {
  describe.skipIf(!backend.available)(`sealOAuthTokens (${backend.name})`, () => {
    it('seals on write, opens on read, refuses a token moved to another row, adopts clear rows', async () => {
      const { adapter: adapterOptions, sql } = await backend.open();
      const adapter = authkeepAdapter({
        ...adapterOptions,
        sealOAuthTokens: true,
        encryptionKeys,
        logger: silentLogger,
      });
      cleanups.push(() => adapter.close());
      await migrateBetterAuth({ database: adapter.store, options });
      const db = adapter(options);
      const user = await db.create<Record<string, unknown>, { id: string }>({
        model: 'user',
        data: { email: 'sealed@example.com', name: 'Sealed', createdAt: new Date(), updatedAt: new Date() },
      });
      const account = (providerId: string, accessToken: string) =>
        db.create<Record<string, unknown>, { id: string; accessToken: string }>({
          model: 'account',
          data: {
            accountId: `${providerId}-1`,
            providerId,
            userId: user.id,
            accessToken,
            refreshToken: `${accessToken}-refresh`,
            idToken: `${accessToken}-id`,
            createdAt: new Date(),
            updatedAt: new Date(),
          },
        });
      const a = await account('github', 'gho_secret_a');
      const b = await account('google', 'ya29_secret_b');
      expect(a.accessToken).toBe('gho_secret_a');
      const stored = await sql(`select id, "accessToken", "refreshToken", "idToken" from account`, []);
      for (const row of stored) {
        for (const column of ['accessToken', 'refreshToken', 'idToken']) {
          expect(String(row[column])).not.toMatch(/secret/);
        }
      }
      const read = await db.findOne<{ accessToken: string; refreshToken: string; idToken: string }>({
        model: 'account',
        where: [
          { field: 'providerId', value: 'google' },
          { field: 'accountId', value: 'google-1' },
        ],
      });
      expect(read).toMatchObject({
        accessToken: 'ya29_secret_b',
        refreshToken: 'ya29_secret_b-refresh',
        idToken: 'ya29_secret_b-id',
      });

      // updateMany with a where clause: each row sealed to its own id, both still open.
      await db.updateMany({
        model: 'account',
        where: [{ field: 'userId', value: user.id }],
        update: { accessToken: 'rotated' },
      });
      const both = await db.findMany<{ accessToken: string }>({
        model: 'account',
        where: [{ field: 'userId', value: user.id }],
      });
      expect(both.map((r) => r.accessToken)).toEqual(['rotated', 'rotated']);

      // A ciphertext copied to another row does not open there.
      const sealedA = (await sql(`select "accessToken" from account where id = $1`, [a.id]))[0]!.accessToken;
      await sql(`update account set "accessToken" = $1 where id = $2`, [sealedA, b.id]);
      await expect(db.findOne({ model: 'account', where: [{ field: 'id', value: b.id }] })).rejects.toThrow();

      // A row written in clear (before the option) reads as it is, and is sealed when next written.
      await sql(`update account set "accessToken" = $1 where id = $2`, ['clear_legacy', b.id]);
      expect(
        (
          await db.findOne<{ accessToken: string }>({
            model: 'account',
            where: [{ field: 'id', value: b.id }],
          })
        )?.accessToken,
      ).toBe('clear_legacy');
      await db.update({
        model: 'account',
        where: [{ field: 'id', value: b.id }],
        update: { accessToken: 'resealed' },
      });
      expect((await sql(`select "accessToken" from account where id = $1`, [b.id]))[0]!.accessToken).not.toBe(
        'resealed',
      );
    });
  });
}
