import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { kitiumMigrations } from '../../migrations/index.js';
import { databaseUrl, dropSchema, freshSchemaName, withClient } from '../support/postgres.js';
import { recordTally } from './tally.js';

const child = join(import.meta.dirname, 'fixtures', 'connect-child.ts');
const PROCESSES = 4;

/** Starts PROCESSES node processes, waits until all are loaded, then releases them together. */
async function connectAtOnce(database: string, schema: string): Promise<string[]> {
  const children = Array.from({ length: PROCESSES }, () =>
    spawn(process.execPath, ['--import', 'tsx', child, database, schema], {
      stdio: ['pipe', 'pipe', 'inherit'],
    }),
  );
  const outputs = children.map((c) => {
    let text = '';
    c.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
    return {
      get text() {
        return text;
      },
    };
  });
  const ready = (i: number) =>
    new Promise<void>((resolve, reject) => {
      const check = () => (outputs[i]!.text.includes('ready') ? resolve() : setTimeout(check, 20));
      children[i]!.once('exit', (code) => reject(new Error(`child exited early (${code})`)));
      check();
    });
  await Promise.all(children.map((_, i) => ready(i)));
  for (const c of children) c.stdin.write('go\n');
  const codes = await Promise.all(
    children.map((c) => new Promise<number | null>((resolve) => c.once('exit', resolve))),
  );
  expect(codes).toEqual(Array(PROCESSES).fill(0));
  return outputs.map((o) => o.text);
}

describe('several processes running connect() on an empty database at once', () => {
  const url = databaseUrl();
  const schema = freshSchemaName('connect4');
  const dir = mkdtempSync(join(tmpdir(), 'authkeep-connect-'));
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    if (url) await dropSchema(url, schema);
  });

  it.skipIf(!url)('PostgreSQL: one schema, no error', async () => {
    const outputs = await connectAtOnce(url!, schema);
    expect(outputs.every((o) => o.includes('\nok '))).toBe(true);
    const counts = await withClient(url!, schema, async (c) => ({
      ledger: (await c.query('select count(*)::int as n from auth_migrations')).rows[0].n,
      users: (await c.query('select count(*)::int as n from users')).rows[0].n,
    }));
    expect(counts).toEqual({ ledger: kitiumMigrations.length, users: PROCESSES });
    recordTally({
      suite: 'connect-x4-postgres',
      operations: PROCESSES * 2,
      faults: 0,
      rowsVerified: counts.users,
      rowsLost: 0,
    });
  });

  it('SQLite file: one schema, no error', async () => {
    const file = join(dir, 'auth.db');
    const outputs = await connectAtOnce(`sqlite:${file}`, '-');
    expect(outputs.every((o) => o.includes('\nok '))).toBe(true);
    const db = new Database(file, { readonly: true });
    const ledger = (db.prepare('select count(*) as n from auth_migrations').get() as { n: number }).n;
    const users = (db.prepare('select count(*) as n from users').get() as { n: number }).n;
    db.close();
    expect({ ledger, users }).toEqual({ ledger: kitiumMigrations.length, users: PROCESSES });
    recordTally({
      suite: 'connect-x4-sqlite',
      operations: PROCESSES * 2,
      faults: 0,
      rowsVerified: users,
      rowsLost: 0,
    });
  });
});
