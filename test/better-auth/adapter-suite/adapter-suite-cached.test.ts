import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, it } from 'vitest';
import { redisUrl } from '../../support/postgres.js';
import { runAdapterSuite } from '../support/adapter-suite.js';
import { postgresSuiteDatabase } from '../support/postgres-suite-database.js';

// The whole suite with the cache on: SQLite with the in-process tier, PostgreSQL with the in-process tier
// (LISTEN/NOTIFY bus) and with Redis plus an in-process tier (pub/sub bus).
const dir = mkdtempSync(join(tmpdir(), 'authkeep-ba-cached-'));
const file = join(dir, 'auth.db');
await runAdapterSuite(
  'sqlite, cache memory',
  {
    adapterOptions: { database: `sqlite:${file}` },
    async dropTables() {
      const db = new Database(file);
      try {
        db.pragma('foreign_keys = OFF');
        const tables = db
          .prepare(`select name from sqlite_master where type = 'table' and name not like 'sqlite_%'`)
          .all() as { name: string }[];
        for (const { name } of tables) db.exec(`drop table "${name.replaceAll('"', '""')}"`);
      } finally {
        db.close();
      }
    },
    async close() {
      rmSync(dir, { recursive: true, force: true });
    },
  },
  'memory',
);

const memory = await postgresSuiteDatabase('ba_cached_mem');
if (memory) await runAdapterSuite('postgres, cache memory', memory, 'memory');
const redis = redisUrl();
const withRedis = redis ? await postgresSuiteDatabase('ba_cached_redis') : null;
if (withRedis)
  await runAdapterSuite('postgres, cache redis + local', withRedis, { redis: redis!, local: true });
if (!memory || !withRedis)
  describe.skip('cached suites on PostgreSQL/Redis (service not set)', () => it('skipped'));
