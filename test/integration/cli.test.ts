import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../../src/app/cli/io.js';
import { runCli } from '../../src/app/cli/main.js';
import { databaseUrl, dropSchema, freshSchemaName } from '../support/postgres.js';

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
  { name: 'SQLite', database: () => `sqlite:${join(dir, 'cli.db')}`, schema: undefined, available: true },
  {
    name: 'PostgreSQL',
    database: () => url!,
    schema,
    available: url !== null,
  },
];

const args = (target: (typeof targets)[number]) => [
  '--database',
  target.database(),
  ...(target.schema ? ['--schema', target.schema] : []),
];

for (const target of targets) {
  describe.skipIf(!target.available)(`authkeep CLI on ${target.name}`, () => {
    it('status lists pending migrations, migrate applies them, status lists them applied', async () => {
      const before = io();
      expect(await runCli(['status', ...args(target)], before.handle)).toBe(0);
      expect(before.out.some((l) => l.startsWith('pending  0001_initial_schema_v2'))).toBe(true);
      const migrate = io();
      expect(await runCli(['migrate', ...args(target)], migrate.handle)).toBe(0);
      const after = io();
      expect(await runCli(['status', ...args(target)], after.handle)).toBe(0);
      expect(after.out.at(-1)).toMatch(/^\d+ applied, 0 pending$/);
    });

    it('health, demo and sweep succeed; the database may also come from the environment', async () => {
      const health = io({
        AUTHKEEP_DATABASE_URL: target.database(),
        ...(target.schema ? { AUTHKEEP_DATABASE_SCHEMA: target.schema } : {}),
      });
      expect(await runCli(['health'], health.handle)).toBe(0);
      expect(health.out[0]).toMatch(/^database: ok/);
      const demo = io();
      expect(await runCli(['demo', ...args(target)], demo.handle)).toBe(0);
      expect(demo.out.join('\n')).toMatch(/verified the key: valid; a wrong key: rejected/);
      expect(demo.out.join('\n')).not.toMatch(/MISSING|INVALID|ACCEPTED|STILL/);
      const sweep = io();
      expect(await runCli(['sweep', ...args(target), '--batch-size', '50'], sweep.handle)).toBe(0);
      expect(sweep.out).toContain('sessions: 0 expired rows deleted');
    });
  });
}

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
    const badSweep = io();
    expect(
      await runCli(['sweep', '--database', 'sqlite::memory:', '--batch-size', '0'], badSweep.handle),
    ).toBe(2);
  });

  it('every command accepts --redis (the cache is opened only by commands that read through it)', async () => {
    const redis = ['--redis', 'redis://127.0.0.1:1'];
    const database = ['--database', `sqlite:${join(dir, 'redis-flag.db')}`];
    for (const argv of [['migrate'], ['status'], ['health'], ['sweep'], ['demo'], ['keys', 'generate']]) {
      const run = io();
      expect(await runCli([...argv, ...database, ...redis], run.handle), argv.join(' ')).toBe(0);
    }
  });

  it('prints help for the tool and for each command', async () => {
    const help = io();
    expect(await runCli(['--help'], help.handle)).toBe(0);
    for (const command of ['demo', 'migrate', 'status', 'health', 'sweep', 'keys']) {
      expect(help.out.join('\n')).toContain(command);
      const one = io();
      expect(await runCli([command, '--help'], one.handle)).toBe(0);
      expect(one.out.join('\n').length).toBeGreaterThan(20);
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
