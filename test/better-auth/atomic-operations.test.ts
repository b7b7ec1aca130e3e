import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BetterAuthOptions } from 'better-auth/types';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/index.js';
import {
  authkeepAdapter,
  migrateBetterAuth,
  type AuthkeepAdapterOptions,
} from '../../src/app/better-auth/index.js';
import { databaseUrl, dropSchema, freshSchemaName, withClient } from '../support/postgres.js';

/** consumeOne and incrementOne are one statement each: of concurrent callers, exactly as many win as may. */
const dir = mkdtempSync(join(tmpdir(), 'authkeep-ba-atomic-'));
const url = databaseUrl();
const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  rmSync(dir, { recursive: true, force: true });
});

// A counter model of a plugin's kind (better-auth's rate limit and API-key plugins count down like this).
const options: BetterAuthOptions = {
  secret: 'a-test-secret-that-is-long-enough-for-better-auth',
  plugins: [
    {
      id: 'counter-test',
      schema: { counter: { fields: { name: { type: 'string' }, remaining: { type: 'number' } } } },
    },
  ],
};

const backends: { name: string; available: boolean; open(): Promise<AuthkeepAdapterOptions> }[] = [
  {
    name: 'sqlite',
    available: true,
    open: async () => ({ database: `sqlite:${join(dir, `${randomBytes(4).toString('hex')}.db`)}` }),
  },
  {
    name: 'postgres',
    available: url !== null,
    async open() {
      const schema = freshSchemaName('ba_atomic');
      await withClient(url!, undefined, (client) => client.query(`create schema "${schema}"`));
      cleanups.push(() => dropSchema(url!, schema));
      return { database: url!, schema, max: 20 };
    },
  },
];

for (const backend of backends) {
  describe.skipIf(!backend.available)(`atomic operations under concurrency (${backend.name})`, () => {
    async function setUp() {
      const adapter = authkeepAdapter({ ...(await backend.open()), logger: silentLogger });
      cleanups.push(() => adapter.close());
      await migrateBetterAuth({ database: adapter.store, options });
      return adapter(options);
    }

    it('consumeOne: of 20 concurrent callers exactly one gets the verification value', async () => {
      const db = await setUp();
      await db.create({
        model: 'verification',
        data: {
          identifier: 'otp',
          value: '123456',
          expiresAt: new Date(Date.now() + 60_000),
          createdAt: new Date(),
          updatedAt: new Date(),
        },
      });
      const results = await Promise.all(
        Array.from({ length: 20 }, () =>
          db.consumeOne({ model: 'verification', where: [{ field: 'identifier', value: 'otp' }] }),
        ),
      );
      expect(results.filter((r) => r !== null)).toHaveLength(1);
      expect(await db.count({ model: 'verification' })).toBe(0);
    });

    it('incrementOne with a guard: 30 concurrent decrements of 10 remaining, exactly 10 pass', async () => {
      const db = await setUp();
      await db.create({ model: 'counter', data: { name: 'uses', remaining: 10 } });
      const results = await Promise.all(
        Array.from({ length: 30 }, () =>
          db.incrementOne({
            model: 'counter',
            where: [
              { field: 'name', value: 'uses' },
              { field: 'remaining', operator: 'gt', value: 0 },
            ],
            increment: { remaining: -1 },
          }),
        ),
      );
      expect(results.filter((r) => r !== null)).toHaveLength(10);
      const row = await db.findOne<{ remaining: number }>({
        model: 'counter',
        where: [{ field: 'name', value: 'uses' }],
      });
      expect(row?.remaining).toBe(0);
    });
  });
}
