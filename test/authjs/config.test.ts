import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { authkeepAdapter, migrateAuthjs } from '../../src/app/authjs/index.js';
import { silentLogger } from '../../src/index.js';
import { databaseUrl } from '../support/postgres.js';

const logger = silentLogger;

describe('authkeepAdapter configuration', () => {
  it('an unknown table layout is a config error', () => {
    for (const tables of ['prisma', 'toString', '__proto__']) {
      expect(() => authkeepAdapter({ database: ':memory:', tables: tables as 'pg-adapter', logger })).toThrow(
        expect.objectContaining({ code: 'config' }),
      );
    }
  });

  it('a missing or unusable database is a config error', async () => {
    expect(() => authkeepAdapter({ logger } as never)).toThrow(expect.objectContaining({ code: 'config' }));
    expect(() => authkeepAdapter({ database: 42 as never, logger })).toThrow(
      expect.objectContaining({ code: 'config' }),
    );
    await expect(migrateAuthjs({ database: '', logger })).rejects.toMatchObject({ code: 'config' });
  });

  it('a Redis cache without secret material is a config error', () => {
    expect(() =>
      authkeepAdapter({ database: ':memory:', cache: 'redis://127.0.0.1:1', env: {}, logger }),
    ).toThrow(expect.objectContaining({ code: 'config' }));
  });
});

describe.skipIf(databaseUrl() === null)('authkeepAdapter configuration on PostgreSQL', () => {
  const pool = new pg.Pool({ connectionString: databaseUrl() as string, max: 1 });
  afterAll(() => pool.end());

  it("cache: 'memory' with your own pool needs directUrl for its bus (or bus: 'off')", async () => {
    expect(() => authkeepAdapter({ database: pool, cache: 'memory', logger })).toThrow(
      expect.objectContaining({ code: 'config', message: expect.stringContaining('directUrl') }),
    );
    const withBus = authkeepAdapter({ database: pool, cache: 'memory', directUrl: databaseUrl()!, logger });
    await withBus.close();
    const busOff = authkeepAdapter({ database: pool, cache: 'memory', cacheOptions: { bus: 'off' }, logger });
    await busOff.close();
  });

  it('options that only apply to a connection authkeep opens are refused with your own pool', () => {
    expect(() => authkeepAdapter({ database: pool, max: 5, logger })).toThrow(
      expect.objectContaining({ code: 'config' }),
    );
  });

  it('closing leaves the caller pool open', async () => {
    const adapter = authkeepAdapter({ database: pool, logger });
    await adapter.getUser('1').catch(() => undefined);
    await adapter.close();
    expect((await pool.query('select 1 as one')).rows).toEqual([{ one: 1 }]);
  });
});
