import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readSchemaShape } from '../../src/adapters/kysely/schema/schema-shape.js';
import {
  PostgresStorageAdapter,
  SqliteStorageAdapter,
  silentLogger,
  type KitiumStorageAdapter,
} from '../../src/index.js';
import { RECORD_EXTRA_FIELD_TABLES } from '../../migrations/0007_record_extra_fields.js';
import { databaseUrl, dropSchema, freshSchemaName } from '../support/postgres.js';

const MIGRATION = 'authkeep_0007_record_extra_fields';

interface Backend {
  name: string;
  available: boolean;
  open(): KitiumStorageAdapter;
  cleanup(): Promise<void>;
}

function backends(): Backend[] {
  const dir = mkdtempSync(join(tmpdir(), 'authkeep-0007-'));
  const url = databaseUrl();
  const schema = freshSchemaName('record_extra');
  return [
    {
      name: 'sqlite file',
      available: true,
      open: () => new SqliteStorageAdapter(`sqlite:${join(dir, 'auth.db')}`, { logger: silentLogger }),
      cleanup: async () => rmSync(dir, { recursive: true, force: true }),
    },
    {
      name: 'postgres',
      available: url !== null,
      open: () => new PostgresStorageAdapter(url as string, { schema, logger: silentLogger }),
      cleanup: () => dropSchema(url as string, schema),
    },
  ];
}

async function shapeOf(adapter: KitiumStorageAdapter) {
  const shape = await readSchemaShape(adapter.sqlStore.db, adapter.sqlStore.dialect);
  return JSON.stringify({
    tables: [...shape.tables].map(([table, columns]) => [table, [...columns].sort()]).sort(),
    indexes: [...shape.indexes].sort(),
  });
}

/**
 * Migration 0007 (the `extra` column of users, organisations, API keys, sessions, email tokens, SSO
 * providers and events). Upstream-adopted databases go through it like fresh ones (0000 brings them to
 * authkeep's shape first): see upstream-adoption-schema.test.ts, which compares the two schemas.
 */
for (const backend of backends()) {
  describe.skipIf(!backend.available)(
    `migration 0007: extra fields of the core records [${backend.name}]`,
    () => {
      afterAll(() => backend.cleanup());

      it('adds the column; rows written before it read as before; reconnecting changes nothing', async () => {
        const first = backend.open();
        await first.connect();
        const shape = await shapeOf(first);
        const live = await readSchemaShape(first.sqlStore.db, first.sqlStore.dialect);
        for (const table of RECORD_EXTRA_FIELD_TABLES) {
          expect(live.tables.get(table)?.get('extra'), table).toMatchObject({ nullable: true });
        }
        // A database as it was before 0007: a user row written, the columns absent, the ledger without 0007.
        const user = await first.createUser({ email: 'before@x.io', name: 'Before' });
        const db = first.sqlStore.db;
        for (const table of RECORD_EXTRA_FIELD_TABLES) {
          await db.schema.alterTable(table).dropColumn('extra').execute();
        }
        await db.deleteFrom('auth_migrations').where('id', '=', MIGRATION).execute();
        await first.disconnect();

        const upgraded = backend.open();
        await upgraded.connect();
        expect(await upgraded.getUser(user.id)).toEqual(user);
        expect(await shapeOf(upgraded)).toBe(shape);
        const tagged = await upgraded.updateUser(user.id, { tenant: 'acme' } as never);
        expect(tagged).toMatchObject({ name: 'Before', tenant: 'acme' });
        await upgraded.disconnect();

        // Connecting again applies nothing and changes nothing.
        const again = backend.open();
        await again.connect();
        expect(await again.migrate()).toEqual([]);
        expect(await shapeOf(again)).toBe(shape);
        expect(await again.getUser(user.id)).toEqual(tagged);
        await again.disconnect();
      });
    },
  );
}
