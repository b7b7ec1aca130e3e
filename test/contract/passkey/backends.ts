import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql, type RawBuilder } from 'kysely';
import { afterAll, beforeAll, describe } from 'vitest';
import {
  PasskeySql,
  defaultTableNames,
  type PasskeyTableNames,
} from '../../../src/adapters/kysely/passkey/index.js';
import { openPostgres, openSqlite, type SqlStore } from '../../../src/adapters/kysely/index.js';
import { silentLogger } from '../../../src/adapters/log/pino-logger.js';
import { PasskeyDataStore } from '../../../src/app/passkey/data-store.js';
import type { Clock } from '../../../src/ports/system.js';
import { databaseUrl, dropSchema, freshSchemaName, pgbouncerUrl } from '../../support/postgres.js';

export type Dialect = 'sqlite' | 'postgres';

export interface OpenOptions {
  tables?: PasskeyTableNames;
  clock?: Clock;
  demoMode?: boolean;
  loginHistoryRetentionDays?: number;
}

/** An opened database: the store under test plus raw SQL access for fixtures and checks. */
export interface PasskeyDataHandle {
  dialect: Dialect;
  store: SqlStore;
  sql: PasskeySql;
  data: PasskeyDataStore;
  /** The PostgreSQL schema of this file (search_path), undefined on SQLite. */
  schema: string | undefined;
  /** Runs raw SQL (fixtures, dumps) on the same connection. */
  raw<T>(query: RawBuilder<T>): Promise<T[]>;
  /** Another PasskeyDataStore on the same connection, e.g. with other table names. */
  reopen(options: OpenOptions): PasskeyDataStore;
}

export interface PasskeyDataBackend {
  name: string;
  dialect: Dialect;
  available(): boolean;
  connect(label: string): Promise<{ store: SqlStore; schema: string | undefined; cleanup(): Promise<void> }>;
}

export const dataBackends: PasskeyDataBackend[] = [
  {
    name: 'sqlite :memory:',
    dialect: 'sqlite',
    available: () => true,
    async connect() {
      return {
        store: openSqlite(':memory:', {}, silentLogger),
        schema: undefined,
        cleanup: async () => undefined,
      };
    },
  },
  {
    name: 'sqlite file',
    dialect: 'sqlite',
    available: () => true,
    async connect() {
      const dir = mkdtempSync(join(tmpdir(), 'authkeep-o2p-'));
      const store = openSqlite(join(dir, 'o2p.db'), {}, silentLogger);
      return { store, schema: undefined, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
    },
  },
  {
    name: 'postgres',
    dialect: 'postgres',
    available: () => databaseUrl() !== null,
    async connect(label) {
      const url = databaseUrl() as string;
      const schema = freshSchemaName(`o2p${label}`);
      const store = openPostgres(url, { schema, max: 20 }, silentLogger);
      // The schema is created by the first init (withMigrationLock); create it now for raw fixtures too.
      await store.withMigrationLock(async () => undefined);
      return { store, schema, cleanup: () => dropSchema(url, schema) };
    },
  },
  {
    name: 'postgres via pgbouncer (transaction pooling)',
    dialect: 'postgres',
    available: () => pgbouncerUrl() !== null,
    async connect(label) {
      const schema = freshSchemaName(`o2p${label}`);
      const store = openPostgres(
        pgbouncerUrl() as string,
        { schema, max: 20, pooler: 'transaction' },
        silentLogger,
      );
      await store.withMigrationLock(async () => undefined);
      return { store, schema, cleanup: () => dropSchema(databaseUrl() as string, schema) };
    },
  },
];

export function openHandle(
  backend: PasskeyDataBackend,
  connected: { store: SqlStore; schema: string | undefined },
  options: OpenOptions = {},
): PasskeyDataHandle {
  const make = (opts: OpenOptions) => {
    const passkeySql = new PasskeySql(
      connected.store,
      opts.tables ?? defaultTableNames(),
      opts.clock ?? { now: () => new Date() },
    );
    return {
      sql: passkeySql,
      data: new PasskeyDataStore(passkeySql, {
        logger: silentLogger,
        demoMode: opts.demoMode ?? false,
        loginHistoryRetentionDays: opts.loginHistoryRetentionDays ?? 0,
      }),
    };
  };
  const first = make(options);
  return {
    dialect: backend.dialect,
    store: connected.store,
    schema: connected.schema,
    ...first,
    async raw<T>(query: RawBuilder<T>) {
      return (await query.execute(connected.store.db)).rows;
    },
    reopen: (opts) => make(opts).data,
  };
}

/** Declares `body` once per database; each gets its own connection (and PostgreSQL schema) for the file. */
export function describePasskeyData(
  title: string,
  body: (handle: () => PasskeyDataHandle, backend: PasskeyDataBackend) => void,
  options: OpenOptions = {},
  backends = dataBackends,
): void {
  for (const backend of backends) {
    describe.skipIf(!backend.available())(`${title} [${backend.name}]`, () => {
      let connected: Awaited<ReturnType<PasskeyDataBackend['connect']>> | undefined;
      let handle: PasskeyDataHandle | undefined;
      beforeAll(async () => {
        connected = await backend.connect(title);
        handle = openHandle(backend, connected, options);
        await handle.data.init();
      });
      afterAll(async () => {
        if (!connected) return;
        await connected.store.close();
        await connected.cleanup();
      });
      body(() => {
        if (!handle) throw new Error('backend not opened');
        return handle;
      }, backend);
    });
  }
}

export { sql };
