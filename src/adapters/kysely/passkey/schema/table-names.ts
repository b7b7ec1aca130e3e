import { ConfigError } from '../../../../domain/errors.js';
import type { Dialect } from '../../codec.js';

/** The four tables of the oauth2-passkey crate, by the names the deployment gave them. */
export interface PasskeyTableNames {
  users: string;
  oauth2Accounts: string;
  passkeyCredentials: string;
  loginHistory: string;
}

/** The crate's default names: `DB_TABLE_PREFIX` (default `o2p_`) + the table's own name. */
export function defaultTableNames(prefix = 'o2p_'): PasskeyTableNames {
  return {
    users: `${prefix}users`,
    oauth2Accounts: `${prefix}oauth2_accounts`,
    passkeyCredentials: `${prefix}passkey_credentials`,
    loginHistory: `${prefix}login_history`,
  };
}

/** A table name split into its optional schema and its table, as the database will resolve it. */
export interface TableName {
  schema?: string;
  table: string;
  /** `schema.table` or `table`, exactly as the crate would put it into SQL after case folding. */
  qualified: string;
}

// What an unquoted identifier may be in both dialects; the crate puts names into SQL unquoted.
const PART = /^[A-Za-z_][A-Za-z0-9_]*$/;
const MAX_IDENTIFIER_BYTES = 63;

/**
 * Checks a configured table name and returns its parts. PostgreSQL folds unquoted names to lower case, so
 * we fold too and our quoted name is the table the crate's unquoted one names. SQLite keeps the case the
 * crate wrote (its sqlite_master check is exact) and has no schemas: a dotted name there is an error, as
 * the crate's own index and foreign-key DDL could not use it either.
 */
export function parseTableName(name: string, dialect: Dialect, what: string): TableName {
  if (typeof name !== 'string') throw new ConfigError(`${what} must be a string`);
  const parts = name.split('.');
  const valid =
    parts.length <= 2 && parts.every((part) => PART.test(part) && part.length <= MAX_IDENTIFIER_BYTES);
  if (!valid) {
    throw new ConfigError(
      `${what} must be a SQL identifier (letters, digits, underscore; at most 63 characters), optionally schema.table`,
    );
  }
  if (dialect === 'sqlite' && parts.length === 2) {
    throw new ConfigError(`${what}: schema-qualified table names are only supported on PostgreSQL`);
  }
  const folded = dialect === 'postgres' ? parts.map((part) => part.toLowerCase()) : parts;
  const [first, second] = folded as [string, string | undefined];
  return second === undefined
    ? { table: first, qualified: first }
    : { schema: first, table: second, qualified: `${first}.${second}` };
}

export type ResolvedTableNames = Record<keyof PasskeyTableNames, TableName>;

export function resolveTableNames(names: PasskeyTableNames, dialect: Dialect): ResolvedTableNames {
  const resolved = {
    users: parseTableName(names.users, dialect, 'users table name'),
    oauth2Accounts: parseTableName(names.oauth2Accounts, dialect, 'oauth2 accounts table name'),
    passkeyCredentials: parseTableName(names.passkeyCredentials, dialect, 'passkey credentials table name'),
    loginHistory: parseTableName(names.loginHistory, dialect, 'login history table name'),
  };
  const distinct = new Set(Object.values(resolved).map((name) => name.qualified.toLowerCase()));
  if (distinct.size !== 4) throw new ConfigError('the four oauth2-passkey tables must have distinct names');
  return resolved;
}

/** The crate's index-name stem: the table name with '.' replaced by '_'. */
export function indexStem(name: TableName): string {
  return name.qualified.replace('.', '_');
}
