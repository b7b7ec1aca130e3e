import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../../src/app/cli/io.js';
import { runCli } from '../../src/app/cli/main.js';
import { createAuthStorage } from '../../src/app/config.js';
import { silentLogger } from '../../src/adapters/log/pino-logger.js';
import { databaseUrl, dropSchema, freshSchemaName, withClient } from '../support/postgres.js';

function io(env: NodeJS.ProcessEnv = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const handle: CliIo = { out: (l) => out.push(l), err: (l) => err.push(l), isTTY: false, env };
  return { handle, out, err };
}

async function schemaSql(argv: string[]): Promise<string> {
  const run = io();
  expect(await runCli(['schema', ...argv], run.handle), run.err.join('\n')).toBe(0);
  return `${run.out.join('\n')}\n`;
}

async function verify(argv: string[]) {
  const run = io();
  const code = await runCli(['verify', '--json', ...argv], run.handle);
  const { matches, differences } = JSON.parse(run.out[0] as string) as {
    matches: boolean;
    differences: string[];
  };
  return { code, matches, differences };
}

const dir = mkdtempSync(join(tmpdir(), 'authkeep-schema-'));
const url = databaseUrl();
const schema = freshSchemaName('handddl');
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  if (url) await dropSchema(url, schema);
});

describe('authkeep schema, applied by hand with the sqlite3 shell', () => {
  const file = join(dir, 'hand.db');
  const database = `sqlite:${file}`;

  it('gives a database that verify and connect({ migrations: "verify" }) accept', async () => {
    execFileSync('sqlite3', [file], { input: await schemaSql(['--dialect', 'sqlite']) });
    expect(await verify(['--database', database])).toEqual({ code: 0, matches: true, differences: [] });
    const storage = createAuthStorage({ database, migrations: 'verify', logger: silentLogger });
    await storage.connect();
    const user = await storage.createUser({ email: 'hand@example.com' });
    expect((await storage.getUserByEmail('HAND@example.com'))?.id).toBe(user.id);
    await storage.disconnect();
    // Nothing pending either: migrate finds every migration recorded.
    const migrate = io();
    expect(await runCli(['migrate', '--database', database], migrate.handle)).toBe(0);
    expect(migrate.out).toEqual(['up to date: nothing to apply']);
  });

  it('lists what a hand-changed schema lacks, and connect() refuses it with a config error', async () => {
    const [index] = execFileSync(
      'sqlite3',
      [
        file,
        "select name from sqlite_master where type = 'index' and tbl_name = 'sessions' and sql is not null limit 1",
      ],
      { encoding: 'utf8' },
    )
      .trim()
      .split('\n');
    execFileSync('sqlite3', [file, `drop index "${index}"; alter table users drop column picture;`]);
    const result = await verify(['--database', database]);
    expect(result.code).toBe(1);
    expect(result.differences).toContain('column users.picture is missing');
    expect(result.differences.some((d) => d.startsWith('missing index on sessions'))).toBe(true);
    const storage = createAuthStorage({ database, migrations: 'verify', logger: silentLogger });
    // One line that counts them; the differences themselves are in details.
    await expect(storage.connect()).rejects.toMatchObject({
      code: 'config',
      message: expect.stringMatching(/^the schema differs from authkeep's in 2 place\(s\); [^\n]*$/),
      details: { differences: expect.arrayContaining(['column users.picture is missing']), pending: [] },
    });
    await storage.disconnect();
  });
});

describe.skipIf(!url)('authkeep schema, applied by hand with psql', () => {
  it('gives a schema that verify accepts; a changed column type is listed', async () => {
    const ddl = await schemaSql(['--dialect', 'postgres', '--database', url!]);
    await withClient(url!, undefined, (c) => c.query(`create schema ${schema}`));
    execFileSync(
      'psql',
      [url!, '-v', 'ON_ERROR_STOP=1', '-q', '-c', `set search_path = ${schema}`, '-f', '-'],
      {
        input: `set search_path = ${schema};\n${ddl}`,
      },
    );
    const target = ['--database', url!, '--schema', schema];
    expect(await verify(target)).toEqual({ code: 0, matches: true, differences: [] });

    await withClient(url!, schema, (c) => c.query('alter table sessions alter column expires_at type text'));
    const changed = await verify(target);
    expect(changed.code).toBe(1);
    expect(changed.differences).toContain(
      'column sessions.expires_at is text, expected timestamp with time zone',
    );
  });

  it('--from prints only the upgrade from a given migration', async () => {
    const upgrade = await schemaSql([
      '--dialect',
      'postgres',
      '--database',
      url!,
      '--from',
      '0001_initial_schema_v2',
    ]);
    expect(upgrade).not.toContain('-- 0001_initial_schema_v2');
    expect(upgrade).not.toMatch(/create table "users"/);
    expect(upgrade).toContain('-- authkeep_0002_foundation');
    expect(upgrade).toContain("insert into auth_migrations (id) values ('authkeep_0002_foundation');");
  });
});
