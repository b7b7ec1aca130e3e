import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe } from 'vitest';
import { openPostgres, openSqlite, type SqlStore } from '../../../src/adapters/kysely/index.js';
import pino from 'pino';
import { createPinoLogger, silentLogger } from '../../../src/adapters/log/pino-logger.js';
import { databaseUrl, dropSchema, freshSchemaName, pgbouncerUrl } from '../../support/postgres.js';

/** One database the key-value and mitthooks suites run against. */
export interface SqlBackend {
  name: string;
  dialect: 'sqlite' | 'postgres';
  available(): boolean;
  /** Opens a fresh database; `target` is what a facade is given as `database` to open its own. */
  open(label: string): Promise<OpenedBackend>;
}

export interface OpenedBackend {
  store: SqlStore;
  /** A URL or path for facades that open their own connection to the same database. */
  target: string;
  /** Connection options that facade needs (the PostgreSQL schema). */
  connection: { schema?: string };
  cleanup(): Promise<void>;
}

export const sqlBackends: SqlBackend[] = [
  {
    name: 'sqlite :memory:',
    dialect: 'sqlite',
    available: () => true,
    async open() {
      const store = openSqlite(':memory:', {}, silentLogger);
      // ':memory:' opened again would be another database: facades share this store instead.
      return { store, target: '', connection: {}, cleanup: () => store.close() };
    },
  },
  {
    name: 'sqlite file',
    dialect: 'sqlite',
    available: () => true,
    async open() {
      const dir = mkdtempSync(join(tmpdir(), 'authkeep-kv-'));
      const file = join(dir, 'kv.db');
      const store = openSqlite(file, {}, silentLogger);
      return {
        store,
        target: `sqlite:${file}`,
        connection: {},
        async cleanup() {
          await store.close();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  },
  {
    name: 'postgres',
    dialect: 'postgres',
    available: () => databaseUrl() !== null,
    async open(label) {
      const url = databaseUrl() as string;
      const schema = freshSchemaName(label);
      const store = openPostgres(url, { schema, max: 20 }, silentLogger);
      await store.withMigrationLock(async () => undefined);
      return {
        store,
        target: url,
        connection: { schema },
        async cleanup() {
          await store.close();
          await dropSchema(url, schema);
        },
      };
    },
  },
  {
    name: 'postgres via pgbouncer (transaction pooling)',
    dialect: 'postgres',
    available: () => pgbouncerUrl() !== null,
    async open(label) {
      const direct = databaseUrl() as string;
      const target = `${pgbouncerUrl() as string}?pgbouncer=true`;
      const schema = freshSchemaName(label);
      const store = openPostgres(target, { schema, max: 20 }, silentLogger);
      await store.withMigrationLock(async () => undefined);
      return {
        store,
        target,
        connection: { schema },
        async cleanup() {
          await store.close();
          await dropSchema(direct, schema);
        },
      };
    },
  },
];

export interface BackendHandle {
  readonly backend: SqlBackend;
  readonly db: OpenedBackend;
}

/** Declares `body` once per backend, each with a fresh database (a fresh schema on PostgreSQL). */
export function describeBackends(
  title: string,
  body: (handle: BackendHandle) => void,
  backends: SqlBackend[] = sqlBackends,
): void {
  for (const backend of backends) {
    describe.skipIf(!backend.available())(`${title} [${backend.name}]`, () => {
      let opened: OpenedBackend | undefined;
      const handle: BackendHandle = {
        backend,
        get db() {
          if (!opened) throw new Error('backend not opened');
          return opened;
        },
      };
      beforeAll(async () => {
        opened = await backend.open(title);
      });
      afterAll(async () => {
        await opened?.cleanup();
      });
      body(handle);
    });
  }
}

/** Runs raw SQL on the backend (fixtures: rows as the upstream libraries wrote them). */
export async function rawSql(store: SqlStore, text: string, values: unknown[] = []): Promise<any[]> {
  const parts = text.split(/\$\d+/);
  const query = sql.join(
    parts.map((part, i) => (i < values.length ? sql`${sql.raw(part)}${values[i]}` : sql.raw(part))),
    sql``,
  );
  const result = await query.execute(store.db);
  return result.rows as any[];
}

/** Real pino output kept in memory, to check levels and that no secret is ever logged. */
export function captureLogger() {
  const raw: string[] = [];
  const logger = createPinoLogger({
    level: 'debug',
    destination: { write: (line: string) => raw.push(line) },
  });
  const lines = (): Record<string, unknown>[] =>
    raw.map((line) => {
      const parsed = JSON.parse(line) as Record<string, unknown>;
      return { ...parsed, levelName: pino.levels.labels[parsed.level as number] };
    });
  return { logger, lines, text: () => raw.join('') };
}
