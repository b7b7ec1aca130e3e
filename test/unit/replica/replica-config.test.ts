import { describe, expect, it } from 'vitest';
import { resolveReplicaUrls } from '../../../src/app/replica-urls.js';
import { ConfigError, createAuthStorage, PostgresStorageAdapter, silentLogger } from '../../../src/index.js';

describe('read replica configuration', () => {
  it('takes the option, else AUTHKEEP_DATABASE_REPLICA_URLS split on commas or spaces', () => {
    const env = { AUTHKEEP_DATABASE_REPLICA_URLS: ' postgres://r1/db, postgres://r2/db  postgres://r3/db ' };
    expect(resolveReplicaUrls(undefined, env)).toEqual([
      'postgres://r1/db',
      'postgres://r2/db',
      'postgres://r3/db',
    ]);
    expect(resolveReplicaUrls(['postgres://x/db'], env)).toEqual(['postgres://x/db']);
    expect(resolveReplicaUrls(undefined, {})).toBeUndefined();
    expect(resolveReplicaUrls(undefined, { AUTHKEEP_DATABASE_REPLICA_URLS: ' ' })).toBeUndefined();
  });

  it('refuses a replica that is not a postgres:// URL without echoing it (it may hold a password)', () => {
    const attempt = () =>
      new PostgresStorageAdapter('postgres://127.0.0.1:1/db', {
        logger: silentLogger,
        replicas: ['mysql://admin:hunter2@replica/db'],
      });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/postgres:\/\//);
    expect(attempt).not.toThrow(/hunter2/);
  });

  it('refuses bad wait bounds and replicas for SQLite', () => {
    expect(
      () =>
        new PostgresStorageAdapter('postgres://127.0.0.1:1/db', {
          logger: silentLogger,
          replicas: ['postgres://127.0.0.1:2/db'],
          replicaMaxLagMs: -1,
        }),
    ).toThrow(/replicaMaxLagMs/);
    expect(() =>
      createAuthStorage({ database: ':memory:', replicas: ['postgres://r/db'], logger: silentLogger }),
    ).toThrow(ConfigError);
  });

  it('opens nothing until used: a configured replica costs no connection at construction', async () => {
    const adapter = createAuthStorage({
      database: 'postgres://127.0.0.1:1/db',
      replicas: ['postgres://127.0.0.1:2/db'],
      logger: silentLogger,
    });
    expect(adapter).toBeInstanceOf(PostgresStorageAdapter);
    await adapter.disconnect();
  });
});
