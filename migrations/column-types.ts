import { type Expression, sql } from 'kysely';
import type { Dialect } from '../src/adapters/kysely/codec.js';

type DataType =
  | 'varchar(255)'
  | 'text'
  | 'timestamp'
  | 'timestamptz'
  | 'jsonb'
  | 'boolean'
  | 'integer'
  | 'serial'
  | Expression<unknown>;

/** Column types and defaults per dialect, so each migration is written once for both. */
export function columnTypes(dialect: Dialect) {
  const pg = dialect === 'postgres';
  return {
    id: (pg ? 'varchar(255)' : 'text') as DataType,
    text: 'text' as DataType,
    /** Upstream's TIMESTAMP WITHOUT TIME ZONE; migration 0002 turns every one into timestamptz. */
    legacyTimestamp: (pg ? 'timestamp' : 'text') as DataType,
    timestamp: (pg ? 'timestamptz' : 'text') as DataType,
    textArray: (pg ? sql`text[]` : 'text') as DataType,
    json: (pg ? 'jsonb' : 'text') as DataType,
    bool: (pg ? 'boolean' : 'integer') as DataType,
    int: 'integer' as DataType,
    now: pg ? sql`now()` : sql`(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))`,
    emptyArray: pg ? sql`'{}'` : sql`'[]'`,
    emptyJsonArray: pg ? sql`'[]'::jsonb` : sql`'[]'`,
    emptyObject: pg ? sql`'{}'::jsonb` : sql`'{}'`,
    false: pg ? sql`false` : sql`0`,
  };
}
