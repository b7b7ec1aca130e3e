import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import {
  authkeepAdapter,
  type AuthkeepAdapterOptions,
  type AuthkeepBetterAuthAdapter,
} from '../../../src/app/better-auth/index.js';
import { silentLogger } from '../../../src/index.js';
import { testCacheSecret } from '../../support/cache-secret.js';
import { databaseUrl, dropSchema, freshSchemaName, redisUrl, withClient } from '../../support/postgres.js';

export interface FlowBackend {
  name: string;
  available: boolean;
  /** A fresh database (SQLite file or PostgreSQL schema) behind an adapter closed after the file's tests. */
  adapter(): Promise<AuthkeepBetterAuthAdapter>;
}

/**
 * The four ways the better-auth flow tests run authkeepAdapter: SQLite without and with the memory cache,
 * PostgreSQL without a cache (getSession's session and user in one statement) and with Redis and the
 * in-process tier. Registers the file's clean-up (adapters, files, schemas).
 */
export function flowBackends(label: string): FlowBackend[] {
  const dir = mkdtempSync(join(tmpdir(), `authkeep-ba-${label}-`));
  const url = databaseUrl();
  const redis = redisUrl();
  const schemas: string[] = [];
  const adapters: AuthkeepBetterAuthAdapter[] = [];
  afterAll(async () => {
    for (const adapter of adapters) await adapter.close();
    rmSync(dir, { recursive: true, force: true });
    if (url) for (const schema of schemas) await dropSchema(url, schema);
  });
  const sqliteFile = () => `sqlite:${join(dir, `${randomBytes(4).toString('hex')}.db`)}`;
  const postgresSchema = async () => {
    const schema = freshSchemaName(`ba_${label}`);
    schemas.push(schema);
    await withClient(url!, undefined, (client) => client.query(`create schema "${schema}"`));
    return schema;
  };
  const backend = (
    name: string,
    available: boolean,
    options: () => Promise<AuthkeepAdapterOptions>,
  ): FlowBackend => ({
    name,
    available,
    async adapter() {
      const adapter = authkeepAdapter({ ...(await options()), logger: silentLogger });
      adapters.push(adapter);
      return adapter;
    },
  });
  return [
    backend('sqlite, no cache', true, async () => ({ database: sqliteFile() })),
    backend('sqlite, cache memory', true, async () => ({ database: sqliteFile(), cache: 'memory' })),
    backend('postgres, no cache', url !== null, async () => ({
      database: url!,
      schema: await postgresSchema(),
    })),
    backend('postgres, cache redis + in-process tier', url !== null && redis !== null, async () => ({
      database: url!,
      schema: await postgresSchema(),
      cache: redis! as `redis://${string}`,
      cacheOptions: {
        secret: testCacheSecret,
        namespace: `test:ba-${label}:${randomBytes(6).toString('hex')}:`,
        local: true,
      },
    })),
  ];
}
