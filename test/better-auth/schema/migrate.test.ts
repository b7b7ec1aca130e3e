import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { getMigrations } from 'better-auth/db/migration';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/index.js';
import { authkeepAdapter, migrateBetterAuth } from '../../../src/app/better-auth/index.js';
import { migrationScript } from '../../../src/app/better-auth/migrate.js';
import { databaseUrl, dropSchema, freshSchemaName, withClient } from '../../support/postgres.js';
import { pluginOptions } from '../support/plugin-options.js';
import { dumpPostgresSchema, dumpSqliteSchema } from '../support/schema-dump.js';

const url = databaseUrl();
const dir = mkdtempSync(join(tmpdir(), 'authkeep-ba-migrate-'));
const schemas: string[] = [];
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  if (url) for (const schema of schemas) await dropSchema(url, schema);
});

async function freshSchema(label: string): Promise<string> {
  const schema = freshSchemaName(label);
  schemas.push(schema);
  await withClient(url!, undefined, (client) => client.query(`create schema "${schema}"`));
  return schema;
}

/** better-auth's own migration (better-auth 1.7.25 getMigrations over its Kysely adapter) on a pg.Pool. */
async function migrateWithBetterAuth(schema: string, options = pluginOptions()): Promise<void> {
  const pool = new pg.Pool({ connectionString: url!, options: `-c search_path=${schema}` });
  try {
    await (await getMigrations({ ...options, database: pool })).runMigrations();
  } finally {
    await pool.end();
  }
}

describe('migrateBetterAuth on SQLite', () => {
  it('creates exactly the tables, columns and indexes better-auth’s own migration creates', async () => {
    const theirs = new Database(join(dir, 'theirs.db'));
    await (await getMigrations({ ...pluginOptions(), database: theirs })).runMigrations();
    const file = join(dir, 'ours.db');
    await migrateBetterAuth({ database: `sqlite:${file}`, options: pluginOptions(), logger: silentLogger });
    const ours = new Database(file);
    const dump = dumpSqliteSchema(ours);
    expect(dump.some((line) => line.startsWith('table twoFactor'))).toBe(true);
    expect(dump).toEqual(dumpSqliteSchema(theirs));
    theirs.close();
    ours.close();
  });

  it('is idempotent: a second run finds nothing to do and changes nothing', async () => {
    const file = join(dir, 'twice.db');
    const options = { database: `sqlite:${file}`, options: pluginOptions(), logger: silentLogger };
    await migrateBetterAuth(options);
    const before = dumpSqliteSchema(new Database(file));
    await migrateBetterAuth(options);
    const adapter = authkeepAdapter({ database: `sqlite:${file}`, logger: silentLogger });
    expect(await migrationScript(adapter.store, pluginOptions())).toBe(';');
    await adapter.close();
    expect(dumpSqliteSchema(new Database(file))).toEqual(before);
  });
});

describe('the adapter’s createSchema (what `npx @better-auth/cli generate` prints)', () => {
  it('prints better-auth’s own migration for this database, and nothing once it is applied', async () => {
    const file = join(dir, 'generate.db');
    const adapter = authkeepAdapter({ database: `sqlite:${file}`, logger: silentLogger });
    const instance = adapter(pluginOptions());
    const printed = await instance.createSchema!(pluginOptions(), 'schema.sql');
    expect(printed.path).toBe('schema.sql');
    expect(printed.code).toContain('create table "twoFactor"');
    const theirs = new Database(join(dir, 'generate-theirs.db'));
    const expected = await (
      await getMigrations({ ...pluginOptions(), database: theirs })
    ).compileMigrations();
    theirs.close();
    expect(printed.code).toBe(expected);
    await migrateBetterAuth({ database: adapter.store, options: pluginOptions() });
    expect((await instance.createSchema!(pluginOptions())).code).toBe(';');
    await adapter.close();
  });
});

describe.skipIf(!url)('migrateBetterAuth on PostgreSQL', () => {
  it('creates exactly the schema better-auth’s own migration creates (types, defaults, indexes, keys)', async () => {
    const theirs = await freshSchema('ba_mig_theirs');
    const ours = await freshSchema('ba_mig_ours');
    await migrateWithBetterAuth(theirs);
    await migrateBetterAuth({ database: url!, schema: ours, options: pluginOptions(), logger: silentLogger });
    const dump = await dumpPostgresSchema(url!, ours);
    expect(dump.some((line) => line.startsWith('column member.organizationId'))).toBe(true);
    expect(dump).toEqual(await dumpPostgresSchema(url!, theirs));
  });

  it('adds only what is missing to a database better-auth migrated for fewer plugins', async () => {
    const schema = await freshSchema('ba_mig_grow');
    const reference = await freshSchema('ba_mig_ref');
    await migrateWithBetterAuth(schema, pluginOptions({ plugins: [] }));
    await migrateBetterAuth({ database: url!, schema, options: pluginOptions(), logger: silentLogger });
    // The reference takes the same two steps with better-auth's own migration (ALTER TABLE for the rest).
    await migrateWithBetterAuth(reference, pluginOptions({ plugins: [] }));
    await migrateWithBetterAuth(reference);
    expect(await dumpPostgresSchema(url!, schema)).toEqual(await dumpPostgresSchema(url!, reference));
  });

  it('is safe when four processes start at once: all succeed, the schema is made once', async () => {
    const schema = await freshSchema('ba_mig_race');
    const child = fileURLToPath(new URL('../fixtures/migrate-child.ts', import.meta.url));
    const processes = Array.from({ length: 4 }, () =>
      spawn(process.execPath, ['--import', 'tsx', child, url!, schema], { stdio: ['pipe', 'pipe', 'pipe'] }),
    );
    const outputs = processes.map(
      (proc) =>
        new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
          let out = '';
          let err = '';
          proc.stdout.on('data', (chunk) => (out += chunk));
          proc.stderr.on('data', (chunk) => (err += chunk));
          proc.on('close', (code) => resolve({ code, out, err }));
        }),
    );
    const ready = processes.map(
      (proc) =>
        new Promise<void>((resolve) => {
          const onData = (chunk: Buffer) => {
            if (chunk.toString().includes('ready')) {
              proc.stdout.off('data', onData);
              resolve();
            }
          };
          proc.stdout.on('data', onData);
        }),
    );
    await Promise.all(ready);
    for (const proc of processes) proc.stdin.write('go\n');
    const results = await Promise.all(outputs);
    for (const result of results) expect(result, result.err).toMatchObject({ code: 0 });
    const reference = await freshSchema('ba_mig_race_ref');
    await migrateWithBetterAuth(reference);
    expect(await dumpPostgresSchema(url!, schema)).toEqual(await dumpPostgresSchema(url!, reference));
  }, 120_000);
});
