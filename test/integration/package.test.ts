import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseUrl, dropSchema, freshSchemaName } from '../support/postgres.js';

// The package as a user installs it: `npm pack`, then `npm install <tarball>` into a fresh project.
const root = fileURLToPath(new URL('../..', import.meta.url));
const ours = createRequire(join(root, 'package.json'));
const versionOf = (name: string) => (ours(`${name}/package.json`) as { version: string }).version;
const url = databaseUrl();
const schema = freshSchemaName('pkg');
const dir = mkdtempSync(join(tmpdir(), 'authkeep-package-'));
const project = join(dir, 'consumer');
const npmFlags = ['--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'];

function run(command: string, args: string[], options: { cwd?: string; input?: string } = {}) {
  const result: SpawnSyncReturns<string> = spawnSync(command, args, {
    cwd: options.cwd ?? project,
    encoding: 'utf8',
    input: options.input,
    env: { ...process.env, npm_config_update_notifier: 'false', AUTHKEEP_DATABASE_URL: '' },
    timeout: 240_000,
  });
  return { code: result.status, stdout: result.stdout ?? '', stderr: result.stderr ?? '' };
}

function npm(args: string[], cwd = project) {
  const result = run('npm', [...args, ...npmFlags], { cwd });
  if (result.code !== 0) throw new Error(`npm ${args.join(' ')} failed:\n${result.stderr}`);
  return result.stdout;
}

const bin = (...args: string[]) => run(join(project, 'node_modules', '.bin', 'authkeep'), args);
let packed: { files: { path: string }[]; filename: string };

beforeAll(() => {
  const [info] = JSON.parse(npm(['pack', '--json', '--pack-destination', dir], root)) as [typeof packed];
  packed = info;
  mkdirSync(project);
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({ name: 'consumer', private: true, type: 'module' }),
  );
  // A PostgreSQL user's install: our package, pg, and @types/node as any TypeScript project on Node has.
  npm([
    'install',
    join(dir, packed.filename),
    `pg@${versionOf('pg')}`,
    `@types/node@${versionOf('@types/node')}`,
  ]);
}, 300_000);

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  if (url) await dropSchema(url, schema);
});

describe('the packed tarball', () => {
  it('ships the build and the bin, without source maps or sources', () => {
    const paths = packed.files.map((file) => file.path);
    expect(paths).toEqual(
      expect.arrayContaining(['dist/cli.js', 'dist/index.js', 'dist/index.cjs', 'dist/index.d.ts']),
    );
    expect(paths.filter((path) => path.endsWith('.map') || path.startsWith('src/'))).toEqual([]);
  }, 120_000);
});

describe('a PostgreSQL-only install (no better-sqlite3, ioredis or argon2)', () => {
  it('has none of the other drivers', () => {
    for (const name of ['better-sqlite3', 'ioredis', 'argon2']) {
      expect(existsSync(join(project, 'node_modules', name)), name).toBe(false);
    }
  }, 120_000);

  it.skipIf(!url)(
    'imports (ESM and CommonJS) and runs against PostgreSQL; SQLite asks for its package',
    () => {
      const script = `
      import { createAuthStorage } from 'authkeep';
      const storage = createAuthStorage({ database: process.argv[2], schema: process.argv[3] });
      await storage.connect();
      const user = await storage.createUser({ email: 'pkg@example.com' });
      const found = await storage.getUserByEmail('PKG@example.com');
      await storage.disconnect();
      let sqlite;
      try { createAuthStorage({ database: ':memory:' }); } catch (error) { sqlite = error.code + ': ' + error.message; }
      console.log(JSON.stringify({ same: found?.id === user.id, sqlite }));`;
      writeFileSync(join(project, 'pg-only.mjs'), script);
      const result = run(process.execPath, ['pg-only.mjs', url!, schema]);
      expect(result.stderr).toBe('');
      expect(JSON.parse(result.stdout)).toEqual({
        same: true,
        sqlite: 'config: the SQLite backend needs the "better-sqlite3" package: npm install better-sqlite3',
      });
      const cjs = run(process.execPath, ['-e', "console.log(typeof require('authkeep').createAuthStorage)"]);
      expect(cjs.stdout.trim()).toBe('function');
    },
  );

  it('type-checks a consumer against the shipped .d.ts with skipLibCheck false', () => {
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          skipLibCheck: false,
          noEmit: true,
          module: 'nodenext',
          moduleResolution: 'nodenext',
          target: 'es2022',
          types: ['node'],
        },
        files: ['check.ts'],
      }),
    );
    writeFileSync(
      join(project, 'check.ts'),
      `import { createAuthStorage, PostgresStorageAdapter, type AuthStorageConfig } from 'authkeep';
const config: AuthStorageConfig = { database: 'postgres://db/app', statementTimeoutMs: 1000, migrations: 'verify' };
export const storage = createAuthStorage(config);
export const adapter = new PostgresStorageAdapter('postgres://db/app', { max: 5, schema: 'auth' });
// @ts-expect-error pool options are typed (from @types/pg), not any
new PostgresStorageAdapter('postgres://db/app', { max: 'five' });
// @ts-expect-error the migrations mode is one of three
createAuthStorage({ migrations: 'sometimes' });
export const id: Promise<string> = storage.createUser({ email: 'a@example.com' }).then((user) => user.id);
`,
    );
    const tsc = run(process.execPath, [ours.resolve('typescript/bin/tsc'), '-p', 'tsconfig.json']);
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.code).toBe(0);
  }, 180_000);
});

describe('the installed authkeep command', () => {
  beforeAll(() => {
    // The SQLite driver added the way a user adds it; its native build is taken from our own install
    // (same Node, same machine) instead of compiling it again here.
    npm(['install', `better-sqlite3@${versionOf('better-sqlite3')}`, '--ignore-scripts']);
    const built = join('build', 'Release', 'better_sqlite3.node');
    mkdirSync(join(project, 'node_modules', 'better-sqlite3', 'build', 'Release'), { recursive: true });
    copyFileSync(
      join(root, 'node_modules', 'better-sqlite3', built),
      join(project, 'node_modules', 'better-sqlite3', built),
    );
  }, 300_000);

  it('answers --help through the bin symlink, npx and node dist/cli.js', () => {
    for (const result of [
      bin('--help'),
      run('npx', ['--no', '--', 'authkeep', '--help']),
      run(process.execPath, [join('node_modules', 'authkeep', 'dist', 'cli.js'), '--help']),
    ]) {
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^usage: authkeep <command>/);
      expect(result.stdout).toContain('keys rotate');
    }
    const migrateHelp = bin('migrate', '--help');
    expect(migrateHelp.stdout).toContain('--dry-run');
  }, 120_000);

  it('keys generate prints one key, so $(npx authkeep keys generate) captures it', () => {
    const result = run('npx', ['--no', '--', 'authkeep', 'keys', 'generate']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^k\d{8}_[0-9a-f]{4}:[A-Za-z0-9+/]{43}=\n$/);
  }, 120_000);

  it('migrate on a SQLite file lists what it applied; status --json reports it', () => {
    const database = `sqlite:${join(dir, 'installed.db')}`;
    const migrate = bin('migrate', '--database', database);
    expect(migrate.code).toBe(0);
    expect(migrate.stdout).toMatch(/^applied {2}0001_initial_schema_v2$/m);
    expect(migrate.stdout).toMatch(/^\d+ migration\(s\) applied\n$/m);
    const status = bin('status', '--json', '--database', database);
    expect(status.code).toBe(0);
    const parsed = JSON.parse(status.stdout) as { applied: unknown[]; pending: unknown[] };
    expect(parsed.applied.length).toBeGreaterThan(0);
    expect(parsed.pending).toEqual([]);
  }, 120_000);

  it.skipIf(!url)(
    'migrate into a PostgreSQL schema, then status --json',
    () => {
      const migrate = run('npx', [
        '--no',
        '--',
        'authkeep',
        'migrate',
        '--database',
        url!,
        '--schema',
        schema,
      ]);
      expect(migrate.stderr).toBe('');
      expect(migrate.code).toBe(0);
      const status = bin('status', '--json', '--database', url!, '--schema', schema);
      expect((JSON.parse(status.stdout) as { pending: unknown[] }).pending).toEqual([]);
    },
    120_000,
  );

  it('a failing migrate exits non-zero with one line on stderr', () => {
    const result = bin('migrate', '--database', 'postgres://postgres:pw-secret@127.0.0.1:1/none');
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/^authkeep migrate: .*\[unavailable\]\n$/);
    expect(result.stderr).not.toContain('pw-secret');
  }, 120_000);
});

// The version the tests resolve is the one under test: no stale copy from a registry.
it('installed the tarball under test', () => {
  const installed = JSON.parse(
    readFileSync(join(project, 'node_modules', 'authkeep', 'package.json'), 'utf8'),
  ) as { version: string };
  expect(installed.version).toBe((ours('./package.json') as { version: string }).version);
});
