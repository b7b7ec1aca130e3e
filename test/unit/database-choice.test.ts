import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  createAuthStorage,
  createKeyValueStore,
  createPasskeyStores,
  MitthooksExtensionStorage,
  PostgresStorageAdapter,
} from '../../src/index.js';
import { captureLogger } from '../support/capture-logger.js';

const chosen = (logger: ReturnType<typeof captureLogger>) =>
  logger.lines
    .filter((line) => line.message === 'authkeep database')
    .map((line) => ({ level: line.level, ...line.object }));

describe('the database a facade opens', () => {
  it('is never the embedded default under NODE_ENV=production: a config error names AUTHKEEP_DATABASE_URL', () => {
    const attempt = () => createAuthStorage({ env: { NODE_ENV: 'production' }, logger: captureLogger() });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/AUTHKEEP_DATABASE_URL/);
    expect(() => createAuthStorage({ env: { NODE_ENV: 'production', AUTHKEEP_DATABASE_URL: ' ' } })).toThrow(
      /AUTHKEEP_DATABASE_URL/,
    );
  });

  it('is taken from AUTHKEEP_DATABASE_URL or the argument under NODE_ENV=production', async () => {
    const logger = captureLogger();
    const storage = createAuthStorage({
      env: { NODE_ENV: 'production', AUTHKEEP_DATABASE_URL: ':memory:' },
      logger,
    });
    await storage.disconnect();
    expect(chosen(logger)).toEqual([{ level: 'info', database: ':memory:', facade: 'SqliteStorageAdapter' }]);
  });

  it('is logged at info by every facade, without credentials or query parameters', async () => {
    const logger = captureLogger();
    const pg = new PostgresStorageAdapter('postgres://app:hunter2@127.0.0.1:1/auth?sslmode=disable', {
      logger,
    });
    await pg.disconnect();
    const kv = createKeyValueStore({ database: 'sqlite::memory:', logger });
    await kv.close();
    const hooks = new MitthooksExtensionStorage({
      database: ':memory:',
      masterPassword: 'a master password of some length',
      salt: 'salt-salt-salt-salt',
      logger,
    });
    await hooks.close();
    const passkey = createPasskeyStores({
      env: {
        GENERIC_DATA_STORE_TYPE: 'sqlite',
        GENERIC_DATA_STORE_URL: ':memory:',
        GENERIC_CACHE_STORE_TYPE: 'memory',
        GENERIC_CACHE_STORE_URL: 'memory',
      },
      logger,
    });
    await passkey.close();
    expect(chosen(logger)).toEqual([
      { level: 'info', database: 'postgres://127.0.0.1:1/auth', facade: 'PostgresStorageAdapter' },
      { level: 'info', database: 'sqlite::memory:', facade: 'createKeyValueStore' },
      { level: 'info', database: ':memory:', facade: 'MitthooksExtensionStorage' },
      { level: 'info', database: ':memory:', facade: 'createPasskeyStores' },
    ]);
    expect(JSON.stringify(logger.lines)).not.toContain('hunter2');
  });
});
