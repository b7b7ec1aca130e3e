/**
 * A generic store of rows in named tables, for the framework facades (better-auth, Auth.js) whose
 * schema is the caller's: tables and columns come from the framework's schema, never from request input.
 */

/** The comparisons a condition may make (better-auth's set; `in`/`not_in` take arrays). */
export type ModelOperator =
  'eq' | 'ne' | 'lt' | 'lte' | 'gt' | 'gte' | 'in' | 'not_in' | 'contains' | 'starts_with' | 'ends_with';

export type ModelValue = string | number | boolean | Date | bigint | null | readonly (string | number)[];

/** One term of a where clause: AND terms all hold, and at least one OR term holds (when there are any). */
export interface ModelCondition {
  column: string;
  operator: ModelOperator;
  value: ModelValue;
  connector: 'AND' | 'OR';
  /** Compare strings case-insensitively (equality, lists and patterns). */
  insensitive?: boolean;
}

export type ModelRow = Record<string, unknown>;

/** Rows of another table attached to each result, matched by `table.to = primary.from`. */
export interface ModelJoin {
  /** The property of the result row that holds the joined row (one) or rows (many). */
  key: string;
  table: string;
  from: string;
  to: string;
  /** The joined table's columns to read (its id column first). */
  columns: readonly string[];
  one: boolean;
  /** At most this many joined rows per result row (for `one: false`). */
  limit: number;
}

export interface ModelQuery {
  where?: readonly ModelCondition[];
  /** Columns to read (all when absent or empty). */
  select?: readonly string[];
  sort?: { column: string; direction: 'asc' | 'desc' };
  limit?: number;
  offset?: number;
  joins?: readonly ModelJoin[];
  /** The id column, which groups joined rows (default `id`). */
  idColumn?: string;
  /** Lock the rows read until the transaction ends (PostgreSQL `FOR UPDATE`; SQLite locks the database). */
  forUpdate?: boolean;
}

/** What a bulk write changed: how many rows, and the rows as they were written (or deleted) when asked. */
export interface ModelWriteResult {
  count: number;
  rows: ModelRow[];
}

export interface ModelStore {
  readonly dialect: 'postgres' | 'sqlite';
  /** Inserts one row and returns it as stored (defaults filled in). */
  insert(table: string, values: ModelRow): Promise<ModelRow>;
  findOne(table: string, query: ModelQuery): Promise<ModelRow | null>;
  findMany(table: string, query: ModelQuery): Promise<ModelRow[]>;
  count(table: string, where: readonly ModelCondition[]): Promise<number>;
  /** Sets `values` on every matching row; `returning` reads the updated rows back in the same statement. */
  update(
    table: string,
    where: readonly ModelCondition[],
    values: ModelRow,
    returning: boolean,
  ): Promise<ModelWriteResult>;
  /** Deletes every matching row; `returning` reads the deleted rows back in the same statement. */
  delete(table: string, where: readonly ModelCondition[], returning: boolean): Promise<ModelWriteResult>;
  /** Deletes one matching row and returns it, in one statement: of concurrent callers, one gets it. */
  consumeOne(table: string, where: readonly ModelCondition[], idColumn: string): Promise<ModelRow | null>;
  /** Adds `increment` to (and sets `set` on) one matching row, in one statement; null when none matched. */
  incrementOne(
    table: string,
    where: readonly ModelCondition[],
    idColumn: string,
    increment: Record<string, number>,
    set: ModelRow,
  ): Promise<ModelRow | null>;
  /** Runs `work` in one transaction over a store bound to it. */
  transaction<T>(work: (store: ModelStore) => Promise<T>): Promise<T>;
}
