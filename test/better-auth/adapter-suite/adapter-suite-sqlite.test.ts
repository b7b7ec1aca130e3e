import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { runAdapterSuite } from '../support/adapter-suite.js';

// A file, not :memory:, so migrateBetterAuth's own connection and the adapter's see one database.
const dir = mkdtempSync(join(tmpdir(), 'authkeep-ba-suite-'));
const file = join(dir, 'auth.db');

await runAdapterSuite('sqlite', {
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
});
