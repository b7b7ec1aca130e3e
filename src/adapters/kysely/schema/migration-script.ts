import { randomBytes } from 'node:crypto';
import {
  sql,
  type CompiledQuery,
  type KyselyPlugin,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type QueryResult,
  type RootOperationNode,
  type UnknownRow,
} from 'kysely';
import { ConfigError } from '../../../domain/errors.js';
import type { Logger } from '../../../ports/system.js';
import type { Codec, Dialect } from '../codec.js';
import { translateError } from '../errors.js';
import { appliedIds, ensureLedger, type Migration, type MigrationContext } from './migrator.js';
import { openSqlite } from '../connection/open-sqlite.js';
import type { SqlStore, Trx } from '../sql-store.js';

export interface MigrationScriptEntry {
  id: string;
  /** SQL statements without the trailing semicolon. */
  statements: string[];
}

export interface MigrationScriptOptions {
  /** Plan for an empty database (see inScratch) instead of for the store's tables. */
  scratch?: boolean;
  /** With `scratch`: the migration id the target database is at; only the later ones are planned. */
  from?: string;
}

/** Thrown inside the planning transaction so that nothing it did is ever committed. */
class RollBack extends Error {}

/**
 * Runs the pending migrations in one transaction that is always rolled back, and returns the SQL each
 * ran: the DDL, plus any data change that touched rows (those print with placeholders, never values, as
 * they may hold user data). A ledger insert closes every migration, so applying the script by hand
 * leaves a database that `connect()` and `verify` treat as migrated.
 */
export async function planMigrations(
  store: SqlStore,
  migrations: readonly Migration[],
  context: MigrationContext,
  options: MigrationScriptOptions = {},
): Promise<MigrationScriptEntry[]> {
  const start = startIndex(migrations, options.from);
  const plan = async (trx: Trx, dialect: Dialect, codec: Codec) => {
    const recorder = new StatementRecorder(trx, dialect);
    const recorded = trx.withPlugin(recorder);
    // Migrations up to `from` build the starting point: run, not recorded.
    for (const migration of migrations.slice(0, start)) await migration.up(trx, context);
    await ensureLedger(start > 0 ? trx : recorded, dialect);
    const done = new Set((await appliedIds(trx, codec)).map((entry) => entry.id));
    const entries: MigrationScriptEntry[] = [];
    let statements = recorder.take();
    for (const migration of migrations.slice(start)) {
      if (done.has(migration.id)) continue;
      await migration.up(recorded, context);
      statements.push(...recorder.take());
      statements.push(`insert into auth_migrations (id) values (${quote(migration.id)})`);
      entries.push({ id: migration.id, statements });
      statements = [];
    }
    return entries;
  };
  return options.scratch ? inScratch(store, context.logger, plan) : rolledBack(store, plan);
}

/**
 * Runs `work` against an empty schema that vanishes afterwards: a throw-away schema inside a rolled-back
 * transaction on PostgreSQL (so nothing is written), a private in-memory database on SQLite.
 */
export async function inScratch<T>(
  store: SqlStore,
  logger: Logger,
  work: (trx: Trx, dialect: Dialect, codec: Codec) => Promise<T>,
): Promise<T> {
  if (store.dialect === 'sqlite') {
    const memory = openSqlite(':memory:', {}, logger);
    try {
      return await rolledBack(memory, work);
    } finally {
      await memory.close();
    }
  }
  return rolledBack(store, async (trx, dialect, codec) => {
    const name = `authkeep_scratch_${randomBytes(6).toString('hex')}`;
    await sql`create schema ${sql.id(name)}`.execute(trx);
    await sql`select set_config('search_path', ${name}, true)`.execute(trx);
    return work(trx, dialect, codec);
  });
}

/** Runs `work` in one transaction that is always rolled back. */
async function rolledBack<T>(
  store: SqlStore,
  work: (trx: Trx, dialect: Dialect, codec: Codec) => Promise<T>,
): Promise<T> {
  let result: { value: T } | undefined;
  // Straight on Kysely, not store.transaction: the RollBack sentinel must not count as a failure.
  await store.db
    .transaction()
    .execute(async (trx) => {
      result = { value: await work(trx, store.dialect, store.codec) };
      throw new RollBack();
    })
    .catch((error: unknown) => {
      if (!(error instanceof RollBack)) throw translateError(error, 'migration');
    });
  return (result as { value: T }).value;
}

function startIndex(migrations: readonly Migration[], from: string | undefined): number {
  if (from === undefined) return 0;
  const index = migrations.findIndex((migration) => migration.id === from);
  if (index < 0) {
    const known = migrations.map((migration) => migration.id).join(', ');
    throw new ConfigError(`unknown migration "${from}"; known: ${known}`);
  }
  return index + 1;
}

/** Keeps the SQL of every statement that changed the schema or touched rows. */
class StatementRecorder implements KyselyPlugin {
  private readonly pending = new Map<unknown, CompiledQuery>();
  private statements: string[] = [];

  constructor(
    private readonly trx: Trx,
    private readonly dialect: Dialect,
  ) {}

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    this.pending.set(args.queryId, this.trx.getExecutor().compileQuery(args.node, args.queryId));
    return args.node;
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    const compiled = this.pending.get(args.queryId);
    this.pending.delete(args.queryId);
    if (compiled) {
      const text = describeStatement(compiled, args.result, this.dialect);
      if (text !== undefined) this.statements.push(text);
    }
    return args.result;
  }

  take(): string[] {
    const taken = this.statements;
    this.statements = [];
    return taken;
  }
}

const READ = /^\s*(select|with|pragma|explain|show)\b/i;
const WRITE = /^\s*(insert|update|delete|merge)\b/i;

function describeStatement(
  compiled: CompiledQuery,
  result: QueryResult<UnknownRow>,
  dialect: Dialect,
): string | undefined {
  const text = compiled.sql.trim();
  if (READ.test(text)) return undefined;
  if (WRITE.test(text)) {
    const rows = Number(result.numAffectedRows ?? 0n);
    return rows > 0 ? `-- data change, ${rows} row(s); values not shown\n${text}` : undefined;
  }
  return inlineParameters(text, compiled.parameters, dialect);
}

/** DDL rarely carries parameters (a default value at most): those are spelled as SQL literals. */
function inlineParameters(text: string, parameters: readonly unknown[], dialect: Dialect): string {
  if (parameters.length === 0) return text;
  if (dialect === 'postgres') {
    return text.replace(/\$(\d+)/g, (_, n: string) => literal(parameters[Number(n) - 1], dialect));
  }
  let next = 0;
  return text.replace(/\?/g, () => literal(parameters[next++], dialect));
}

function literal(value: unknown, dialect: Dialect): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (typeof value === 'boolean') return dialect === 'postgres' ? String(value) : value ? '1' : '0';
  if (value instanceof Date) return quote(value.toISOString());
  if (typeof value === 'string') return quote(value);
  return quote(JSON.stringify(value));
}

function quote(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}
