import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe } from 'vitest';
import {
  PostgresStorageAdapter,
  SqliteStorageAdapter,
  silentLogger,
  type KitiumAdapterOptions,
  type KitiumStorageAdapter,
} from '../../../src/index.js';
import { RedisCache } from '../../../src/adapters/cache/redis/redis-cache.js';
import { databaseUrl, dropSchema, freshSchemaName, pgbouncerUrl, redisUrl } from '../../support/postgres.js';
import { testCacheSecret } from '../../support/cache-secret.js';
import { replicaBackend } from './replica-backend.js';

/** A Redis namespace of one test file's own, flushed of its keys afterwards (the shared Redis is never flushed). */
function redisNamespace(label: string): { namespace: string; cleanup(): Promise<void> } {
  const namespace = `test:${freshSchemaName(label)}:`;
  return {
    namespace,
    async cleanup() {
      const cache = new RedisCache({ url: redisUrl() as string }, { namespace });
      await cache.deletePrefix('');
      await cache.close();
    },
  };
}

// A generous per-operation budget: on a loaded machine a miss would still pass, but silently skip the cache.
const cacheTimeoutMs = 2_000;

/** One database the kitium contract runs against. */
export interface KitiumBackend {
  name: string;
  dialect: 'sqlite' | 'postgres';
  /** Null when the service is missing (the suite is skipped, loudly, by global setup). */
  available(): boolean;
  open(label: string): Promise<{ adapter: KitiumStorageAdapter; cleanup(): Promise<void> }>;
}

/** Where an opened backend keeps its bytes (the SQLite file, or the PostgreSQL schema), for dump tests. */
export interface BackendLocation {
  file?: string;
  url?: string;
  schema?: string;
}

/**
 * The three databases of the kitium contract (SQLite memory and file, PostgreSQL), opened with `options`;
 * `opened` learns where each adapter keeps its bytes.
 */
export function databaseBackends(
  options: KitiumAdapterOptions = {},
  opened: (adapter: KitiumStorageAdapter, location: BackendLocation) => void = () => undefined,
): KitiumBackend[] {
  return [
    {
      name: 'sqlite :memory:',
      dialect: 'sqlite',
      available: () => true,
      async open() {
        const adapter = new SqliteStorageAdapter(':memory:', { logger: silentLogger, ...options });
        opened(adapter, {});
        return { adapter, cleanup: async () => undefined };
      },
    },
    {
      name: 'sqlite file',
      dialect: 'sqlite',
      available: () => true,
      async open() {
        const dir = mkdtempSync(join(tmpdir(), 'authkeep-'));
        const file = join(dir, 'auth.db');
        const adapter = new SqliteStorageAdapter(`sqlite:${file}`, { logger: silentLogger, ...options });
        opened(adapter, { file });
        return { adapter, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
      },
    },
    {
      name: 'postgres',
      dialect: 'postgres',
      available: () => databaseUrl() !== null,
      async open(label) {
        const url = databaseUrl() as string;
        const schema = freshSchemaName(label);
        const adapter = new PostgresStorageAdapter(url, {
          schema,
          logger: silentLogger,
          max: 20,
          ...options,
        });
        opened(adapter, { url, schema });
        return { adapter, cleanup: () => dropSchema(url, schema) };
      },
    },
    {
      name: 'postgres via pgbouncer (transaction pooling)',
      dialect: 'postgres',
      available: () => pgbouncerUrl() !== null,
      async open(label) {
        const direct = databaseUrl() as string;
        const schema = freshSchemaName(label);
        // The URL form of the pooler mode, as a user would write it.
        const adapter = new PostgresStorageAdapter(`${pgbouncerUrl() as string}?pgbouncer=true`, {
          schema,
          logger: silentLogger,
          max: 20,
          ...options,
        });
        opened(adapter, { url: direct, schema });
        return { adapter, cleanup: () => dropSchema(direct, schema) };
      },
    },
    replicaBackend(options, opened),
  ];
}

export const kitiumBackends: KitiumBackend[] = [
  ...databaseBackends(),
  {
    name: 'sqlite :memory: × memory cache',
    dialect: 'sqlite',
    available: () => true,
    async open() {
      const adapter = new SqliteStorageAdapter(':memory:', { logger: silentLogger, cache: 'memory' });
      return { adapter, cleanup: async () => undefined };
    },
  },
  {
    name: 'postgres × redis',
    dialect: 'postgres',
    available: () => databaseUrl() !== null && redisUrl() !== null,
    async open(label) {
      const url = databaseUrl() as string;
      const schema = freshSchemaName(label);
      const redis = redisNamespace(label);
      const adapter = new PostgresStorageAdapter(url, {
        schema,
        logger: silentLogger,
        max: 20,
        cache: redisUrl() as `redis://${string}`,
        cacheOptions: { namespace: redis.namespace, timeoutMs: cacheTimeoutMs, secret: testCacheSecret },
      });
      return {
        adapter,
        cleanup: async () => {
          await dropSchema(url, schema);
          await redis.cleanup();
        },
      };
    },
  },
  {
    name: 'postgres × memory cache',
    dialect: 'postgres',
    available: () => databaseUrl() !== null,
    async open(label) {
      const url = databaseUrl() as string;
      const schema = freshSchemaName(label);
      const adapter = new PostgresStorageAdapter(url, {
        schema,
        logger: silentLogger,
        max: 20,
        cache: 'memory',
      });
      return { adapter, cleanup: () => dropSchema(url, schema) };
    },
  },
];

export interface BackendHandle {
  readonly adapter: KitiumStorageAdapter;
  readonly backend: KitiumBackend;
}

/** Declares `body` once per backend: the same assertions run on every database. */
export function describeKitium(
  title: string,
  body: (handle: BackendHandle) => void,
  backends = kitiumBackends,
): void {
  for (const backend of backends) {
    describe.skipIf(!backend.available())(`${title} [${backend.name}]`, () => {
      let opened: Awaited<ReturnType<KitiumBackend['open']>> | undefined;
      const handle: BackendHandle = {
        backend,
        get adapter() {
          if (!opened) throw new Error('backend not opened');
          return opened.adapter;
        },
      };
      beforeAll(async () => {
        opened = await backend.open(title);
        await opened.adapter.connect();
      });
      afterAll(async () => {
        if (!opened) return;
        await opened.adapter.disconnect();
        await opened.cleanup();
      });
      body(handle);
    });
  }
}
