import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LegacyReadingCipher } from '../../src/adapters/crypto/legacy/legacy-cipher.js';
import { PostgresStorageAdapter, silentLogger } from '../../src/index.js';
import { captureLogger } from '../support/capture-logger.js';
import { kitiumMigrations } from '../../migrations/index.js';
import { testKeys } from '../support/encrypted-rows.js';
import { databaseUrl, dropSchema, freshSchemaName, withClient } from '../support/postgres.js';
import { createUpstreamDatabase } from '../fixtures/upstream-database.js';
import {
  FOREIGN_KEY_COUNT,
  TRIGGER_TABLES,
  upstreamTriggers,
  type UpstreamGeneration,
} from '../fixtures/upstream-schema.js';
import { rowsSnapshot, schemaSnapshot } from '../fixtures/upstream-snapshot.js';

const url = databaseUrl();
const legacy = new LegacyReadingCipher({ primary: testKeys().old, plaintext: 'allow' });
const open = (schema: string) =>
  new PostgresStorageAdapter(url!, {
    schema,
    logger: silentLogger,
    cipher: legacy,
    upstreamTimeZone: 'America/New_York',
  });

async function counts(schema: string) {
  return withClient(url!, schema, async (c) => {
    const one = async (text: string) => (await c.query(text, [schema])).rows[0].n as number;
    return {
      foreignKeys: await one(`select count(*)::int as n from pg_constraint con join pg_namespace n
        on n.oid = con.connamespace where n.nspname = $1 and con.contype = 'f'`),
      indexes: await one(
        `select count(*)::int as n from pg_indexes where schemaname = $1 and indexname like 'idx_%'`,
      ),
      triggers: await one(
        `select count(*)::int as n from information_schema.triggers where trigger_schema = $1`,
      ),
    };
  });
}

describe.skipIf(!url)('an adopted upstream database has exactly a fresh authkeep schema', () => {
  const fresh = freshSchemaName('freshref');
  let freshSnapshot: Awaited<ReturnType<typeof schemaSnapshot>>;

  beforeAll(async () => {
    const adapter = open(fresh);
    await adapter.connect();
    await adapter.disconnect();
    freshSnapshot = await schemaSnapshot(url!, fresh);
  });

  afterAll(async () => {
    await dropSchema(url!, fresh);
  });

  // Upstream's columns allow NULL where authkeep's do not; its own methods rarely leave one, callers can
  // (emitEvent without a timestamp binds NULL).
  describe('with NULLs where authkeep requires values', () => {
    const schema = freshSchemaName('adoptnulls');

    afterAll(async () => {
      await dropSchema(url!, schema);
    });

    it('fills them as upstream read them, warns with counts, and ends like a fresh database', async () => {
      const { ids } = await createUpstreamDatabase(url!, schema, { generation: '3.0', writerZone: 'UTC' });
      await withClient(url!, schema, (c) =>
        c.query(`INSERT INTO auth_events (type, principal_id, data, timestamp) VALUES ('logout', 'u', '{}', NULL);
          UPDATE roles SET is_system = NULL; UPDATE twofa_sessions SET max_attempts = NULL, attempt_count = NULL;
          UPDATE users SET updated_at = NULL WHERE id = '${ids.bob}';`),
      );
      const logger = captureLogger();
      const adapter = new PostgresStorageAdapter(url!, {
        schema,
        logger,
        cipher: legacy,
        upstreamTimeZone: 'UTC',
      });
      try {
        await adapter.connect();
        expect(await adapter.getRole(ids.role)).toMatchObject({ isSystem: false });
        expect(await adapter.getTwoFactorSession(ids.tfs2)).toMatchObject({
          attemptCount: 0,
          maxAttempts: 5,
        });
        const bob = await adapter.getUser(ids.bob);
        expect(bob?.updatedAt).toEqual(bob?.createdAt);
      } finally {
        await adapter.disconnect();
      }
      const warning = logger.lines.find((l) => l.message.startsWith('upstream rows had NULL'));
      expect(warning?.object).toEqual({
        filled: {
          'auth_events.timestamp': 1,
          'roles.is_system': 1,
          'twofa_sessions.attempt_count': 2,
          'twofa_sessions.max_attempts': 2,
          'users.updated_at': 1,
        },
      });
      expect(await schemaSnapshot(url!, schema)).toEqual(freshSnapshot);
    });
  });

  describe('adopted by three processes connecting at once', () => {
    const schema = freshSchemaName('adoptrace');

    afterAll(async () => {
      await dropSchema(url!, schema);
    });

    it('adopts once under the migration lock; every connect() succeeds', async () => {
      await createUpstreamDatabase(url!, schema, { generation: '3.1', writerZone: 'America/New_York' });
      const adapters = [open(schema), open(schema), open(schema)];
      try {
        await Promise.all(adapters.map((a) => a.connect()));
      } finally {
        await Promise.all(adapters.map((a) => a.disconnect()));
      }
      const ids = await withClient(url!, schema, async (c) =>
        (await c.query('select id from auth_migrations')).rows.map((r) => r.id).sort(),
      );
      expect(ids).toEqual(kitiumMigrations.map((m) => m.id).sort());
      expect(await schemaSnapshot(url!, schema)).toEqual(freshSnapshot);
    });
  });

  // 3.1.1 over a 3.0.x database: CREATE TABLE IF NOT EXISTS keeps 3.0.x's tables (4 foreign keys), while
  // the ledger row and the triggers are added. Recognised by its parts, not by a generation label.
  describe('made by 3.0.x, then upgraded by 3.1.x', () => {
    const schema = freshSchemaName('adopthybrid');

    afterAll(async () => {
      await dropSchema(url!, schema);
    });

    it('ends like a fresh database too', async () => {
      await createUpstreamDatabase(url!, schema, { generation: '3.0', writerZone: 'America/New_York' });
      await withClient(url!, schema, async (c) => {
        await c.query(`CREATE TABLE auth_migrations (id VARCHAR(255) PRIMARY KEY, applied_at TIMESTAMP NOT NULL DEFAULT NOW());
          INSERT INTO auth_migrations (id) VALUES ('0001_initial_schema_v2');`);
        await c.query(upstreamTriggers('3.1'));
      });
      expect(await counts(schema)).toEqual({ foreignKeys: 4, indexes: 24, triggers: TRIGGER_TABLES.length });
      const adapter = open(schema);
      try {
        await adapter.connect();
      } finally {
        await adapter.disconnect();
      }
      const adopted = await schemaSnapshot(url!, schema);
      expect(adopted).toEqual(freshSnapshot);
    });
  });

  describe.each(['3.0', '3.1'] as UpstreamGeneration[])('made by %s', (generation) => {
    const schema = freshSchemaName(`adoptschema${generation}`);
    let before: Awaited<ReturnType<typeof counts>>;

    beforeAll(async () => {
      await createUpstreamDatabase(url!, schema, { generation, writerZone: 'America/New_York' });
      before = await counts(schema);
      const adapter = open(schema);
      await adapter.connect();
      await adapter.disconnect();
    });

    afterAll(async () => {
      await dropSchema(url!, schema);
    });

    it('started as upstream does: its foreign keys, 24 indexes and (3.1.x) triggers', () => {
      expect(before).toEqual({
        foreignKeys: FOREIGN_KEY_COUNT[generation],
        indexes: 24,
        triggers: generation === '3.1' ? TRIGGER_TABLES.length : 0,
      });
      expect(FOREIGN_KEY_COUNT).toEqual({ '3.0': 4, '3.1': 18 });
    });

    it('ends column by column, index by index, constraint by constraint like a fresh database', async () => {
      const adopted = await schemaSnapshot(url!, schema);
      expect(adopted.columns).toEqual(freshSnapshot.columns);
      expect(adopted.indexes).toEqual(freshSnapshot.indexes);
      expect(adopted.constraints).toEqual(freshSnapshot.constraints);
      expect(adopted.triggers).toEqual(freshSnapshot.triggers);
      expect(adopted.functions).toEqual(freshSnapshot.functions);
      expect(adopted.sequences).toEqual(freshSnapshot.sequences);
      expect(adopted.columns.length).toBeGreaterThan(100);
    });

    it('records every migration, upstream’s own 0001 included', async () => {
      const ids = await withClient(url!, schema, async (c) =>
        (await c.query('select id from auth_migrations')).rows.map((r) => r.id).sort(),
      );
      expect(ids).toEqual(kitiumMigrations.map((m) => m.id).sort());
    });

    it('connecting again changes nothing', async () => {
      const [schemaBefore, rowsBefore] = [
        await schemaSnapshot(url!, schema),
        await rowsSnapshot(url!, schema),
      ];
      const again = open(schema);
      try {
        await again.connect();
      } finally {
        await again.disconnect();
      }
      expect(await schemaSnapshot(url!, schema)).toEqual(schemaBefore);
      expect(await rowsSnapshot(url!, schema)).toBe(rowsBefore);
    });
  });
});
