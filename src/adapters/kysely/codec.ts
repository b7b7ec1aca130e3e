import { IntegrityError } from '../../domain/errors.js';

export type Dialect = 'postgres' | 'sqlite';

/** Values as the driver takes and returns them; the codec is the only place that knows which. */
export type DbTimestamp = Date | string;
export type DbArray = string[] | string;
export type DbJson = string;
export type DbBool = boolean | number;

/**
 * Every difference between the dialects' value encodings: timestamps (timestamptz vs ISO-8601 text),
 * arrays (text[] vs JSON text), JSON (jsonb vs text) and booleans (boolean vs 0/1).
 */
export interface Codec {
  readonly dialect: Dialect;
  timestamp(value: Date): DbTimestamp;
  readTimestamp(value: unknown): Date;
  array(value: readonly string[]): DbArray;
  readArray(value: unknown): string[];
  json(value: unknown): DbJson;
  readJson<T = unknown>(value: unknown): T;
  bool(value: boolean): DbBool;
  readBool(value: unknown): boolean;
}

function corrupt(kind: string): never {
  throw new IntegrityError(`stored ${kind} value has an unexpected shape`);
}

function parseTimestampText(value: string): Date {
  // What authkeep writes (toISOString): no pattern to test, the common case on every SQLite read.
  if (value.length === 24 && value.charCodeAt(23) === 90 /* Z */ && value.charCodeAt(10) === 84 /* T */) {
    const date = new Date(value);
    if (Number.isNaN(date.getTime())) corrupt('timestamp');
    return date;
  }
  // SQL CURRENT_TIMESTAMP writes 'YYYY-MM-DD HH:MM:SS' in UTC, without a zone designator.
  const text = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d+)?$/.test(value)
    ? `${value.replace(' ', 'T')}Z`
    : value;
  const date = new Date(text);
  if (Number.isNaN(date.getTime())) corrupt('timestamp');
  return date;
}

function readTimestamp(value: unknown): Date {
  if (value instanceof Date) return value;
  if (typeof value === 'string') return parseTimestampText(value);
  if (typeof value === 'number') return new Date(value);
  return corrupt('timestamp');
}

function readJsonText<T>(value: unknown): T {
  if (typeof value !== 'string') return value as T;
  try {
    return JSON.parse(value) as T;
  } catch {
    // No cause: JSON.parse's message quotes the stored text.
    throw new IntegrityError('stored JSON value is not valid JSON');
  }
}

export const postgresCodec: Codec = {
  dialect: 'postgres',
  timestamp: (value) => value,
  readTimestamp,
  // pg turns a JS array into a text[] literal itself.
  array: (value) => [...value],
  readArray(value) {
    if (Array.isArray(value)) return value as string[];
    if (value === null || value === undefined) return [];
    return corrupt('array');
  },
  // pg would send a JS array as a PostgreSQL array literal, so JSON always goes as text.
  json: (value) => JSON.stringify(value),
  readJson: readJsonText,
  bool: (value) => value,
  readBool(value) {
    if (typeof value === 'boolean') return value;
    return corrupt('boolean');
  },
};

export const sqliteCodec: Codec = {
  dialect: 'sqlite',
  // ISO-8601 UTC with milliseconds sorts correctly as text.
  timestamp: (value) => value.toISOString(),
  readTimestamp,
  array: (value) => JSON.stringify(value),
  readArray(value) {
    if (value === null || value === undefined) return [];
    const parsed = readJsonText<unknown>(value);
    if (!Array.isArray(parsed)) corrupt('array');
    return parsed as string[];
  },
  json: (value) => JSON.stringify(value),
  readJson: readJsonText,
  bool: (value) => (value ? 1 : 0),
  readBool(value) {
    if (value === 0 || value === 1) return value === 1;
    if (typeof value === 'boolean') return value;
    return corrupt('boolean');
  },
};

export function codecFor(dialect: Dialect): Codec {
  return dialect === 'postgres' ? postgresCodec : sqliteCodec;
}
