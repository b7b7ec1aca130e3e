import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../../src/app/cli/io.js';
import { runCli } from '../../src/app/cli/main.js';
import { createAuthStorage } from '../../src/app/config.js';
import { silentLogger } from '../../src/adapters/log/pino-logger.js';
import { kitiumMigrations } from '../../migrations/index.js';
import { upstreamDdl } from '../fixtures/upstream-schema.js';
import { databaseUrl, dropSchema, freshSchemaName, schemaPresent, withClient } from '../support/postgres.js';

function io(env: NodeJS.ProcessEnv = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const handle: CliIo = { out: (l) => out.push(l), err: (l) => err.push(l), isTTY: false, env };
  return { handle, out, err };
}

const dir = mkdtempSync(join(tmpdir(), 'authkeep-cli-'));
const url = databaseUrl();
const schema = freshSchemaName('cli');
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  if (url) await dropSchema(url, schema);
});

const targets = [
  {
    name: 'SQLite',
    database: () => `sqlite:${join(dir, 'cli.db')}`,
    schema: undefined,
    available: true,
    exists: async () => existsSync(join(dir, 'cli.db')),
  },
  {
    name: 'PostgreSQL',
    database: () => url!,
    schema,
    available: url !== null,
    exists: () => schemaPresent(url!, schema),
  },
];

const args = (target: (typeof targets)[number]) => [
  '--database',
  target.database(),
  ...(target.schema ? ['--schema', target.schema] : []),
];

const MIGRATION_IDS = kitiumMigrations.map((migration) => migration.id);

for (const target of targets) {
  describe.skipIf(!target.available)(`authkeep CLI on ${target.name}`, () => {
    it('status lists pending migrations, --dry-run prints their SQL and applies nothing, migrate lists each one applied', async () => {
      // Only migrate creates the database: status on a database that is not there says so, creating nothing.
      const before = io();
      expect(await runCli(['status', ...args(target)], before.handle)).toBe(1);
      expect(before.err).toEqual([
        expect.stringMatching(/^authkeep status: .*authkeep migrate.*\[config\]$/),
      ]);
      expect(await target.exists()).toBe(false);
      const dry = io();
      expect(await runCli(['migrate', '--dry-run', ...args(target)], dry.handle)).toBe(0);
      expect(dry.out[0]).toBe(
        `-- dry run: ${MIGRATION_IDS.length} pending migration(s); nothing was applied`,
      );
      expect(dry.out).toContain('-- 0001_initial_schema_v2');
      expect(dry.out.some((l) => /^create table "users" \(/.test(l))).toBe(true);
      expect(await target.exists()).toBe(false);

      const migrate = io();
      expect(await runCli(['migrate', ...args(target)], migrate.handle)).toBe(0);
      expect(migrate.out).toEqual([
        ...MIGRATION_IDS.map((id) => `applied  ${id}`),
        `${MIGRATION_IDS.length} migration(s) applied`,
      ]);
      const again = io();
      expect(await runCli(['migrate', '--json', ...args(target)], again.handle)).toBe(0);
      expect(JSON.parse(again.out[0] as string)).toEqual({ applied: [] });
      const after = io();
      expect(await runCli(['status', '--json', ...args(target)], after.handle)).toBe(0);
      const status = JSON.parse(after.out[0] as string) as { applied: { id: string }[]; pending: string[] };
      expect(status.applied.map((entry) => entry.id)).toEqual(MIGRATION_IDS); // the order they apply
      expect(status.pending).toEqual([]);
    });

    it('health, demo and sweep succeed, with --json where asked; the database may come from the environment', async () => {
      const health = io({
        AUTHKEEP_DATABASE_URL: target.database(),
        ...(target.schema ? { AUTHKEEP_DATABASE_SCHEMA: target.schema } : {}),
      });
      expect(await runCli(['health'], health.handle)).toBe(0);
      expect(health.out[0]).toMatch(/^database: ok/);
      const healthJson = io();
      expect(await runCli(['health', '--json', ...args(target)], healthJson.handle)).toBe(0);
      expect(JSON.parse(healthJson.out[0] as string)).toMatchObject({ database: 'ok' });
      const demo = io();
      expect(await runCli(['demo', ...args(target)], demo.handle)).toBe(0);
      expect(demo.out.join('\n')).toMatch(/verified the key: valid; a wrong key: rejected/);
      expect(demo.out.join('\n')).not.toMatch(/MISSING|INVALID|ACCEPTED|STILL/);
      const sweep = io();
      expect(await runCli(['sweep', ...args(target), '--batch-size', '50'], sweep.handle)).toBe(0);
      expect(sweep.out).toContain('sessions: 0 expired rows deleted');
      expect(sweep.err).toEqual([]); // no terminal: no progress
      const sweepJson = io();
      expect(await runCli(['sweep', '--json', ...args(target)], sweepJson.handle)).toBe(0);
      expect(JSON.parse(sweepJson.out[0] as string)).toMatchObject({ deleted: { sessions: 0 } });
    });
  });
}

describe.skipIf(!url)('one configuration surface', () => {
  const envSchema = freshSchemaName('envschema');
  afterAll(async () => {
    if (url) await dropSchema(url, envSchema);
  });

  it('createAuthStorage() reads AUTHKEEP_DATABASE_SCHEMA as the CLI does: the app finds what migrate created', async () => {
    const env = { AUTHKEEP_DATABASE_URL: url!, AUTHKEEP_DATABASE_SCHEMA: envSchema };
    expect(await runCli(['migrate'], io(env).handle)).toBe(0);
    const storage = createAuthStorage({ env, migrations: 'verify', logger: silentLogger });
    await storage.connect(); // verify: the tables are there, in envSchema
    const user = await storage.createUser({ email: 'env-schema@example.com' });
    await storage.disconnect();
    const rows = await withClient(url!, envSchema, (c) => c.query('select id from users'));
    expect(rows.rows.map((row: { id: string }) => row.id)).toEqual([user.id]);
  });
});

describe.skipIf(!url)('authkeep migrate on an adopted @kitiumai/auth-postgres database', () => {
  const adopted = freshSchemaName('cliadopt');
  afterAll(async () => {
    if (url) await dropSchema(url, adopted);
  });

  it('shows the adoption warnings on stderr (two users whose emails differ only in case)', async () => {
    await withClient(url!, undefined, async (client) => {
      await client.query(`create schema ${adopted}`);
      await client.query(`set search_path = ${adopted}`);
      await client.query(upstreamDdl('3.1'));
      await client.query(
        `insert into users (id, email, name, created_at) values
          ('user-1', 'Alice@Example.com', 'Alice', '2024-01-01 10:00:00'),
          ('user-3', 'ALICE@example.COM', 'Alice again', '2024-02-01 00:00:00')`,
      );
    });
    const run = io();
    expect(await runCli(['migrate', '--database', url!, '--schema', adopted], run.handle)).toBe(0);
    expect(run.out.at(-1)).toMatch(/^\d+ migration\(s\) applied$/);
    expect(run.err).toContain(
      'authkeep warning: duplicate email (case-insensitive) left without a unique key {"table":"users","id":"user-3"}',
    );
  });
});

describe('authkeep CLI errors', () => {
  it('exits non-zero with one line for an unknown command, a bad flag, or an unreachable database', async () => {
    const unknown = io();
    expect(await runCli(['frobnicate'], unknown.handle)).toBe(2);
    expect(unknown.err).toHaveLength(1);
    const badFlag = io();
    expect(await runCli(['health', '--nope'], badFlag.handle)).toBe(2);
    expect(badFlag.err).toHaveLength(1);
    const down = io();
    expect(
      await runCli(['health', '--database', 'postgres://postgres:pw-secret@127.0.0.1:1/x'], down.handle),
    ).toBe(1);
    expect([...down.out, ...down.err].join('\n')).not.toContain('pw-secret');
    const deadMigrate = io();
    expect(
      await runCli(['migrate', '--database', 'postgres://postgres@127.0.0.1:1/x'], deadMigrate.handle),
    ).toBe(1);
    expect(deadMigrate.err).toHaveLength(1);
    expect(deadMigrate.err[0]).toMatch(/^authkeep migrate: .*\[unavailable\]$/);
    const badSweep = io();
    expect(
      await runCli(['sweep', '--database', 'sqlite::memory:', '--batch-size', '0'], badSweep.handle),
    ).toBe(2);
  });

  it('takes --redis only where it acts (demo reads through the cache); elsewhere it is an unknown flag', async () => {
    const redis = ['--redis', 'redis://127.0.0.1:1'];
    const database = ['--database', `sqlite:${join(dir, 'redis-flag.db')}`];
    expect(await runCli(['migrate', ...database], io().handle)).toBe(0);
    const demo = io();
    expect(await runCli(['demo', ...database, '--redis', 'not a url'], demo.handle)).toBe(1);
    expect(demo.err).toEqual([expect.stringMatching(/--redis is not a URL.*\[config\]$/)]);
    for (const argv of [['migrate'], ['status'], ['health'], ['sweep'], ['verify'], ['keys', 'generate']]) {
      const run = io();
      expect(await runCli([...argv, ...database, ...redis], run.handle), argv.join(' ')).toBe(2);
      expect(run.err, argv.join(' ')).toEqual([expect.stringContaining("unknown option '--redis'")]);
    }
  });

  it('prints help for the tool, and for each command the flags it takes', async () => {
    const help = io();
    expect(await runCli(['--help'], help.handle)).toBe(0);
    const flags: Record<string, string[]> = {
      demo: ['--database', '--schema', '--redis'],
      migrate: ['--database', '--dry-run', '--json'],
      status: ['--json'],
      health: ['--json'],
      sweep: ['--batch-size', '--progress', '--json'],
      schema: ['--dialect <postgres|sqlite>', '--from <migration id>'],
      verify: ['--database', '--verbose', '--json'],
      'keys generate': ['--id <id>'],
      'keys rotate': [
        '--keys <list>',
        '--batch-size',
        '--dry-run',
        '--seal-plaintext',
        '--progress',
        '--json',
      ],
    };
    for (const [command, expected] of Object.entries(flags)) {
      expect(help.out.join('\n')).toContain(command);
      const one = io();
      expect(await runCli([...command.split(' '), '--help'], one.handle), command).toBe(0);
      const text = one.out.join('\n');
      expect(text).toContain(`usage: authkeep ${command} [options]`);
      for (const flag of [...expected, '--help']) expect(text, `${command} ${flag}`).toContain(flag);
    }
  });
});

describe('authkeep CLI entry', () => {
  it('runs when started through a symlink, as node_modules/.bin/authkeep and npx do', () => {
    const main = fileURLToPath(new URL('../../src/app/cli/main.ts', import.meta.url));
    const link = join(dir, 'authkeep');
    symlinkSync(main, link);
    const out = execFileSync(process.execPath, ['--import', 'tsx', link, 'keys', 'generate', '--id', 'k1'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    expect(out).toMatch(/^k1:[A-Za-z0-9+/]{43}=\n$/);
  });
});
