import { existsSync } from 'node:fs';
import { isMemoryTarget } from '../../adapters/kysely/index.js';
import { ConfigError } from '../../domain/errors.js';
import { databaseKind } from '../config.js';
import { sqlitePath } from '../kitium/adapters.js';

/**
 * Refuses an empty `--database`, and a bare word that is neither a URL nor a file path (`hello`,
 * `postgres`): SQLite would otherwise create a file of that name in the working directory.
 */
export function checkDatabaseFlag(value: string | undefined): void {
  if (value === undefined) return;
  if (value.trim() === '') {
    throw new ConfigError(
      '--database is empty: pass postgres://…, sqlite:./file.db or :memory:, or leave it out to use AUTHKEEP_DATABASE_URL',
    );
  }
  if (value === ':memory:' || /^[a-z][a-z0-9+.-]*:/i.test(value)) {
    databaseKind(value); // an unsupported scheme is refused here, naming only the scheme
    return;
  }
  if (/[/\\]/.test(value) || /\.(db|sqlite3?)$/i.test(value)) return;
  throw new ConfigError(
    `--database "${value}" is neither a URL nor a file path: use postgres://…/${value}, sqlite:./${value}.db or ./${value}`,
  );
}

/** The SQLite file a database URL names, or undefined for PostgreSQL and in-memory databases. */
export function sqliteFileOf(url: string): string | undefined {
  if (databaseKind(url) !== 'sqlite') return undefined;
  const path = sqlitePath(url);
  return isMemoryTarget(path) ? undefined : path;
}

/** Whether the database a URL names is a SQLite file that does not exist yet. */
export function isMissingSqliteFile(url: string): boolean {
  const file = sqliteFileOf(url);
  return file !== undefined && !existsSync(file);
}

/** A read-only command on a database that is not there: say so instead of creating it. */
export function refuseMissingSqliteFile(url: string): void {
  if (!isMissingSqliteFile(url)) return;
  throw new ConfigError(
    `no SQLite database at ${sqliteFileOf(url)}: check --database (or AUTHKEEP_DATABASE_URL), or create it with "authkeep migrate"`,
  );
}

export function missingSchemaError(schema: string): ConfigError {
  return new ConfigError(
    `schema "${schema}" does not exist in this database: check --schema (or AUTHKEEP_DATABASE_SCHEMA), or create it with "authkeep migrate"`,
  );
}
