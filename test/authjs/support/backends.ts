import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe } from 'vitest';
import { RedisCache } from '../../../src/adapters/cache/redis/redis-cache.js';
import {
  authkeepAdapter,
  migrateAuthjs,
  type AuthjsLayoutName,
  type AuthkeepAdapter,
  type AuthkeepAdapterOptions,
} from '../../../src/app/authjs/index.js';
import { silentLogger } from '../../../src/index.js';
import { testCacheSecret } from '../../support/cache-secret.js';
import { databaseUrl, dropSchema, freshSchemaName, redisUrl, withClient } from '../../support/postgres.js';

/** One configuration the Auth.js conformance suite runs on. */
export interface AuthjsVariant {
  name: string;
  dialect: 'sqlite' | 'postgres';
  tables: AuthjsLayoutName;
  hashSessionTokens: boolean;
  /** 'memory': the in-process tier (SQLite); 'redis': Redis alone; 'redis+local': Redis and an in-process tier. */
  cache: 'off' | 'memory' | 'redis' | 'redis+local';
}

/** The real table names of each layout (what raw SQL in tests must name). */
export const TABLES = {
  'pg-adapter': {
    users: 'users',
    accounts: 'accounts',
    sessions: 'sessions',
    verification_token: 'verification_token',
    authenticators: 'authenticators',
  },
  'kysely-adapter': {
    users: 'User',
    accounts: 'Account',
    sessions: 'Session',
    verification_token: 'VerificationToken',
    authenticators: 'Authenticator',
  },
} as const;

export interface OpenedAuthjs {
  adapter: AuthkeepAdapter;
  /** What the adapter was opened with: another adapter over the same database takes these. */
  options: AuthkeepAdapterOptions;
  /** Runs SQL ($1… placeholders on both dialects) on a connection of the test's own. */
  raw<R = Record<string, unknown>>(text: string, params?: unknown[]): Promise<R[]>;
  cleanup(): Promise<void>;
}

const CACHES_SQLITE = ['off', 'memory'] as const;
const CACHES_POSTGRES = ['off', 'redis', 'redis+local'] as const;

export function variants(): AuthjsVariant[] {
  const out: AuthjsVariant[] = [];
  for (const dialect of ['sqlite', 'postgres'] as const)
    for (const tables of ['pg-adapter', 'kysely-adapter'] as const)
      for (const hashSessionTokens of [false, true])
        for (const cache of dialect === 'sqlite' ? CACHES_SQLITE : CACHES_POSTGRES) {
          const name = `${dialect} ${tables}${hashSessionTokens ? ' hashed' : ''}${cache === 'off' ? '' : ` × ${cache}`}`;
          out.push({ name, dialect, tables, hashSessionTokens, cache });
        }
  return out;
}

export function available(variant: AuthjsVariant): boolean {
  if (variant.dialect === 'sqlite') return true;
  return databaseUrl() !== null && (!variant.cache.startsWith('redis') || redisUrl() !== null);
}

/** Opens a fresh database for `variant` (a temporary SQLite file or a PostgreSQL schema), migrated. */
export async function openVariant(
  variant: AuthjsVariant,
  label: string,
  extra: Partial<AuthkeepAdapterOptions> = {},
): Promise<OpenedAuthjs> {
  const base = {
    tables: variant.tables,
    hashSessionTokens: variant.hashSessionTokens,
    logger: silentLogger,
  };
  if (variant.dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'authkeep-authjs-'));
    const file = join(dir, 'auth.db');
    const options: AuthkeepAdapterOptions = {
      ...base,
      database: `sqlite:${file}`,
      ...(variant.cache === 'memory' ? { cache: 'memory' as const } : {}),
      ...extra,
    };
    await migrateAuthjs(options);
    const adapter = authkeepAdapter(options);
    return {
      adapter,
      options,
      async raw<R>(text: string, params: unknown[] = []) {
        const db = new Database(file);
        try {
          const statement = db.prepare(text.replace(/\$\d+/g, '?'));
          return (statement.reader ? statement.all(...params) : (statement.run(...params), [])) as R[];
        } finally {
          db.close();
        }
      },
      async cleanup() {
        await adapter.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const url = databaseUrl() as string;
  const schema = freshSchemaName(label);
  const namespace = `test:${schema}:`;
  const options: AuthkeepAdapterOptions = {
    ...base,
    database: url,
    schema,
    max: 10,
    ...(variant.cache === 'redis' || variant.cache === 'redis+local'
      ? {
          cache: redisUrl() as `redis://${string}`,
          cacheOptions: {
            namespace,
            secret: testCacheSecret,
            timeoutMs: 2_000,
            local: variant.cache === 'redis+local',
          },
        }
      : {}),
    ...extra,
  };
  await withClient(url, undefined, (client) => client.query(`create schema "${schema}"`));
  await migrateAuthjs(options);
  const adapter = authkeepAdapter(options);
  return {
    adapter,
    options,
    raw: <R>(text: string, params: unknown[] = []) =>
      withClient(url, schema, async (client) => (await client.query(text, params)).rows as R[]),
    async cleanup() {
      await adapter.close();
      await dropSchema(url, schema);
      if (variant.cache.startsWith('redis')) {
        const cache = new RedisCache({ url: redisUrl() as string }, { namespace });
        await cache.deletePrefix('');
        await cache.close();
      }
    },
  };
}

export interface AuthjsHandle {
  readonly variant: AuthjsVariant;
  readonly opened: OpenedAuthjs;
  readonly adapter: AuthkeepAdapter;
  /** The real name of a logical table in this variant's layout. */
  table(name: keyof (typeof TABLES)['pg-adapter']): string;
}

/** Declares `body` once per variant: the same assertions on every database, layout, cache and token mode. */
export function describeAuthjs(title: string, body: (handle: AuthjsHandle) => void): void {
  for (const variant of variants()) {
    describe.skipIf(!available(variant))(`${title} [${variant.name}]`, () => {
      let opened: OpenedAuthjs | undefined;
      const handle: AuthjsHandle = {
        variant,
        get opened() {
          if (!opened) throw new Error('variant not opened');
          return opened;
        },
        get adapter() {
          return handle.opened.adapter;
        },
        table: (name) => TABLES[variant.tables][name],
      };
      beforeAll(async () => {
        opened = await openVariant(variant, title);
      });
      afterAll(async () => {
        await opened?.cleanup();
      });
      body(handle);
    });
  }
}
