import { describe, expect, it } from 'vitest';
import {
  createKeyValueStore,
  createPasskeyStores,
  PostgresStorageAdapter,
  silentLogger,
} from '../../src/index.js';

// Never connects: a reserved schema must be refused before anything could be created in it.
const url = 'postgres://authkeep@127.0.0.1:1/never';

describe('reserved PostgreSQL schemas are a config error', () => {
  const reserved = ['information_schema', 'pg_catalog', 'pg_toast', 'pg_temp_1', 'pg_authkeep'];

  it.each(reserved)('the kitium adapter refuses schema %s', (schema) => {
    expect(() => new PostgresStorageAdapter(url, { schema, logger: silentLogger })).toThrow(
      expect.objectContaining({ code: 'config', message: expect.stringContaining('reserved') }),
    );
  });

  it.each(reserved)('the oauth2-passkey and key-value stores refuse schema %s', (schema) => {
    const env = { GENERIC_DATA_STORE_TYPE: 'postgres', GENERIC_DATA_STORE_URL: url };
    expect(() => createPasskeyStores({ env, logger: silentLogger, postgres: { schema } })).toThrow(
      expect.objectContaining({ code: 'config' }),
    );
    expect(() =>
      createKeyValueStore({ database: url, connection: { schema }, logger: silentLogger }),
    ).toThrow(expect.objectContaining({ code: 'config' }));
  });

  it('an ordinary schema (including one merely containing "pg") is accepted', async () => {
    const adapter = new PostgresStorageAdapter(url, { schema: 'tenant_pg_1', logger: silentLogger });
    await adapter.disconnect();
  });
});
