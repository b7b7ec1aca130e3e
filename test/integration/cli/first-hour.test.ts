import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../../../src/app/cli/io.js';
import { runCli } from '../../../src/app/cli/main.js';
import { createAuthStorage } from '../../../src/app/config.js';
import { silentLogger } from '../../../src/adapters/log/pino-logger.js';
import { kitiumMigrations } from '../../../migrations/index.js';
import { databaseUrl, dropSchema, freshSchemaName, schemaPresent } from '../../support/postgres.js';

// What a new user meets in the first hour: typos, read-only commands, a bare group, --version.
function io(env: NodeJS.ProcessEnv = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const handle: CliIo = { out: (l) => out.push(l), err: (l) => err.push(l), isTTY: false, env };
  return { handle, out, err };
}

async function cli(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const run = io(env);
  const code = await runCli(argv, run.handle);
  return { code, out: run.out, err: run.err };
}

const dir = mkdtempSync(join(tmpdir(), 'authkeep-first-hour-'));
const url = databaseUrl();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('--database that is not a database', () => {
  it('refuses a bare word, a bare "postgres" and an empty value, creating no file', async () => {
    for (const value of ['hello', 'postgres']) {
      const run = await cli(['status', '--database', value]);
      expect(run.code, value).toBe(1);
      expect(run.err, value).toEqual([
        expect.stringMatching(
          new RegExp(
            `^authkeep status: --database "${value}" is neither a URL nor a file path.*\\[config\\]$`,
          ),
        ),
      ]);
      expect(existsSync(value), value).toBe(false);
    }
    const empty = await cli(['health', '--database', ''], {
      AUTHKEEP_DATABASE_URL: `sqlite:${join(dir, 'env.db')}`,
    });
    expect(empty.code).toBe(1);
    expect(empty.err).toEqual([expect.stringMatching(/--database is empty.*\[config\]$/)]);
  });

  it('read-only and row-level commands never create a SQLite file or its directory', async () => {
    const missing = join(dir, 'nosuchdir', 'x.db');
    const commands = [
      ['status'],
      ['verify'],
      ['health'],
      ['sweep'],
      ['demo'],
      ['keys', 'rotate', '--keys', `k1:${Buffer.alloc(32, 1).toString('base64')}`],
    ];
    for (const argv of commands) {
      const run = await cli([...argv, '--database', `sqlite:${missing}`]);
      expect(run.code, argv.join(' ')).toBe(1);
      expect(run.err, argv.join(' ')).toEqual([
        expect.stringMatching(/no SQLite database at .*authkeep migrate.*\[config\]$/),
      ]);
    }
    const dry = await cli(['migrate', '--dry-run', '--database', `sqlite:${missing}`]);
    expect(dry.code).toBe(0);
    expect(dry.out[0]).toBe(
      `-- dry run: ${kitiumMigrations.length} pending migration(s); nothing was applied`,
    );
    expect(existsSync(join(dir, 'nosuchdir'))).toBe(false);
    // migrate is the one that creates it.
    expect((await cli(['migrate', '--database', `sqlite:${missing}`])).code).toBe(0);
    expect(existsSync(missing)).toBe(true);
  });

  it.skipIf(!url)('status, verify, health and sweep never create a PostgreSQL schema', async () => {
    const schema = freshSchemaName('neverx');
    try {
      for (const command of ['status', 'verify', 'health', 'sweep']) {
        const run = await cli([command, '--database', url!, '--schema', schema]);
        expect(run.code, command).toBe(1);
        expect(run.err, command).toEqual([
          expect.stringMatching(new RegExp(`schema "${schema}" does not exist.*\\[config\\]$`)),
        ]);
      }
      expect((await cli(['migrate', '--dry-run', '--database', url!, '--schema', schema])).code).toBe(0);
      expect(await schemaPresent(url!, schema)).toBe(false);
    } finally {
      await dropSchema(url!, schema);
    }
  });
});

describe('status and verify on an existing database', () => {
  const file = join(dir, 'empty.db');

  it('verify on an unmigrated database says so in one line; --verbose lists the differences', async () => {
    writeFileSync(file, '');
    const quiet = await cli(['verify', '--database', `sqlite:${file}`]);
    expect(quiet.code).toBe(1);
    expect(quiet.out).toEqual([]);
    expect(quiet.err).toEqual([
      expect.stringMatching(
        new RegExp(
          `^authkeep verify: not migrated: ${kitiumMigrations.length} pending — run "authkeep migrate".*\\(--verbose lists them\\)$`,
        ),
      ),
    ]);
    const verbose = await cli(['verify', '--verbose', '--database', `sqlite:${file}`]);
    expect(verbose.code).toBe(1);
    expect(verbose.out.length).toBeGreaterThan(10);
    expect(verbose.out).toContain('table users is missing');
    expect(verbose.err).toHaveLength(1);
  });

  it('connect({ migrations: "verify" }) on an unmigrated database throws one line, the details apart', async () => {
    const storage = createAuthStorage({
      database: `sqlite:${file}`,
      migrations: 'verify',
      logger: silentLogger,
    });
    const error = await storage
      .connect()
      .catch((e: unknown) => e as Error & { details: { differences: string[] } });
    await storage.disconnect();
    expect(error).toMatchObject({ code: 'config' });
    expect(error!.message).toMatch(/^not migrated: \d+ pending — run "authkeep migrate"/);
    expect(error!.message.length).toBeLessThan(300);
    expect(error!.details.differences).toContain('table users is missing');
  });

  it('status lists applied migrations in the order they apply, and writes nothing', async () => {
    const fresh = join(dir, 'status.db');
    writeFileSync(fresh, '');
    const before = await cli(['status', '--json', '--database', `sqlite:${fresh}`]);
    expect(JSON.parse(before.out[0]!)).toEqual({ applied: [], pending: kitiumMigrations.map((m) => m.id) });
    expect(readdirSync(dir).filter((name) => name.startsWith('status.db'))).toEqual(['status.db']);
    const migrated = await cli(['migrate', '--database', `sqlite:${fresh}`]);
    expect(migrated.code).toBe(0);
    const after = await cli(['status', '--database', `sqlite:${fresh}`]);
    expect(after.out.slice(0, -1).map((line) => line.split(/\s+/)[1])).toEqual(
      kitiumMigrations.map((m) => m.id),
    );
  });
});

describe('the parser', () => {
  it('prints the version, and usage for a bare group', async () => {
    const version = await cli(['--version']);
    expect(version).toEqual({ code: 0, out: [expect.stringMatching(/^\d+\.\d+\.\d+/)], err: [] });
    const bare = await cli(['keys']);
    expect(bare.code).toBe(2);
    expect(bare.err.join('\n')).toMatch(/^usage: authkeep keys <command> \[options\]/);
    expect(bare.err.join('\n')).toContain('keys rotate');
  });

  it('suggests the command or flag meant, in one line with exit 2', async () => {
    const command = await cli(['swep']);
    expect(command).toEqual({
      code: 2,
      out: [],
      err: [expect.stringContaining("unknown command 'swep' (Did you mean sweep?)")],
    });
    const flag = await cli(['health', '--databse', 'x']);
    expect(flag).toEqual({
      code: 2,
      out: [],
      err: [
        expect.stringMatching(/^authkeep health: unknown option '--databse' \(Did you mean --database\?\)/),
      ],
    });
    const sub = await cli(['keys', 'rotat']);
    expect(sub.err).toEqual([expect.stringContaining('(Did you mean rotate?)')]);
  });

  it('reads a negative --batch-size as a value, and refuses it as one', async () => {
    for (const argv of [['sweep'], ['keys', 'rotate']]) {
      const run = await cli([...argv, '--database', ':memory:', '--batch-size', '-1']);
      expect(run.code, argv.join(' ')).toBe(2);
      expect(run.err, argv.join(' ')).toEqual([
        expect.stringContaining('--batch-size must be a positive integer (got "-1")'),
      ]);
    }
  });
});
