import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveDatabaseUrl } from '../../src/app/config.js';
import {
  ConfigError,
  createAuthStorage,
  databaseKind,
  PostgresStorageAdapter,
  silentLogger,
  SqliteStorageAdapter,
  sqlitePath,
} from '../../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'authkeep-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('createAuthStorage and database URLs', () => {
  it('picks the facade from the URL scheme', async () => {
    const pg = createAuthStorage({ database: 'postgres://user:pw@127.0.0.1:1/x', logger: silentLogger });
    expect(pg).toBeInstanceOf(PostgresStorageAdapter);
    await pg.disconnect();
    const mem = createAuthStorage({ database: ':memory:', logger: silentLogger });
    expect(mem).toBeInstanceOf(SqliteStorageAdapter);
    await mem.disconnect();
  });

  it('uses AUTHKEEP_DATABASE_URL when no URL is given, and an embedded file when neither is', () => {
    expect(resolveDatabaseUrl(undefined, { AUTHKEEP_DATABASE_URL: 'postgres://h/db' })).toBe(
      'postgres://h/db',
    );
    expect(resolveDatabaseUrl('sqlite::memory:', { AUTHKEEP_DATABASE_URL: 'postgres://h/db' })).toBe(
      'sqlite::memory:',
    );
    expect(resolveDatabaseUrl(undefined, {})).toBe('./.authkeep/authkeep.db');
  });

  it('parses sqlite: URLs and paths', () => {
    expect(sqlitePath('sqlite::memory:')).toBe(':memory:');
    expect(sqlitePath('sqlite:./data/a.db')).toBe('./data/a.db');
    expect(sqlitePath('sqlite:///var/lib/a.db')).toBe('/var/lib/a.db');
    expect(sqlitePath('sqlite://./a.db?mode=rwc')).toBe('./a.db');
    expect(sqlitePath('/tmp/x.db')).toBe('/tmp/x.db');
  });

  it('refuses unknown schemes without echoing the URL (it may carry a password)', () => {
    const attempt = () => databaseKind('mysql://root:hunter2@db/x');
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/"mysql"/);
    try {
      attempt();
    } catch (error) {
      expect(String(error)).not.toContain('hunter2');
    }
  });

  it('opens a SQLite file in WAL mode with foreign keys on, creating its directory', async () => {
    const file = join(dir, 'nested', 'auth.db');
    const storage = createAuthStorage({ database: `sqlite:${file}`, logger: silentLogger });
    await storage.connect();
    const user = await storage.createUser({ email: 'wal@x.io' });
    await storage.disconnect();
    expect(existsSync(file)).toBe(true);
    const raw = new Database(file);
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(raw.prepare('select id from users').all()).toEqual([{ id: user.id }]);
    raw.close();
    const reopened = new SqliteStorageAdapter(file, { logger: silentLogger });
    await reopened.connect();
    expect((await reopened.getUserByEmail('WAL@x.io'))?.id).toBe(user.id);
    await reopened.disconnect();
  });

  it('reports a corrupt stored value as an integrity error, not garbage', async () => {
    const file = join(dir, 'corrupt.db');
    const storage = new SqliteStorageAdapter(file, { logger: silentLogger });
    await storage.connect();
    const user = await storage.createUser({ name: 'x' });
    const raw = new Database(file);
    raw.prepare(`update users set entitlements = '{not json' where id = ?`).run(user.id);
    raw.close();
    await expect(storage.getUser(user.id)).rejects.toMatchObject({ code: 'integrity' });
    await storage.disconnect();
  });
});

describe('a cache named by a string from the environment', () => {
  const secret = { secret: 's'.repeat(32) };
  const open = (cache: string) => () =>
    createAuthStorage({ database: ':memory:', cache, cacheOptions: secret, logger: silentLogger });

  it('is checked when the storage is made: a typo is a config error that lists what is accepted', () => {
    for (const cache of ['redis:/missing-slash', 'memcached://h:11211', 'memroy']) {
      expect(open(cache), cache).toThrow(
        expect.objectContaining({
          code: 'config',
          message: expect.stringContaining("use 'memory', redis://"),
        }),
      );
    }
  });

  it('a Redis URL that does not parse is a config error, not a bare "Invalid URL", and never echoed', () => {
    const bad = open('redis://u:pw-secret@bad host:x');
    expect(bad).toThrow(
      expect.objectContaining({ code: 'config', message: expect.stringContaining('host and port') }),
    );
    expect(bad).toThrow(expect.objectContaining({ message: expect.not.stringContaining('pw-secret') }));
  });
});
