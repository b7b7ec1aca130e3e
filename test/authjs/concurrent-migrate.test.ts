import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import type { MigrateAuthjsReport } from '../../src/app/authjs/index.js';
import { databaseUrl, dropSchema, freshSchemaName, withClient } from '../support/postgres.js';

const run = promisify(execFile);
const SCRIPT = fileURLToPath(new URL('./support/migrate-once.ts', import.meta.url));
const PROCESSES = 4;

async function migrateInProcesses(options: object): Promise<MigrateAuthjsReport[]> {
  const runs = Array.from({ length: PROCESSES }, () =>
    run(process.execPath, ['--import', 'tsx', SCRIPT, JSON.stringify(options)], { timeout: 60_000 }),
  );
  return (await Promise.all(runs)).map(({ stdout }) => JSON.parse(stdout) as MigrateAuthjsReport);
}

// Application processes starting at once on an empty database, each running migrateAuthjs.
describe('migrateAuthjs from several processes at once', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups) await cleanup();
  });

  it.skipIf(databaseUrl() === null)(
    'PostgreSQL: every process succeeds, the tables are made once',
    async () => {
      const url = databaseUrl() as string;
      const schema = freshSchemaName('authjs-migrate-procs');
      await withClient(url, undefined, (client) => client.query(`create schema "${schema}"`));
      cleanups.push(() => dropSchema(url, schema));
      const reports = await migrateInProcesses({ database: url, schema, tables: 'kysely-adapter' });
      expect(reports.flatMap((report) => report.created).sort()).toEqual(
        ['Account', 'Authenticator', 'Session', 'User', 'VerificationToken'].sort(),
      );
    },
  );

  it('SQLite: every process succeeds, the tables are made once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'authkeep-authjs-procs-'));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    const reports = await migrateInProcesses({ database: `sqlite:${join(dir, 'auth.db')}` });
    expect(reports.flatMap((report) => report.created).sort()).toEqual(
      ['accounts', 'authenticators', 'sessions', 'users', 'verification_token'].sort(),
    );
  }, 120_000);
});
