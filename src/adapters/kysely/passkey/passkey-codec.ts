import { IntegrityError } from '../../../domain/errors.js';
import type { Dialect } from '../codec.js';

function corrupt(kind: string): never {
  throw new IntegrityError(`stored ${kind} value has an unexpected shape`);
}

const pad = (value: number, width = 2) => String(value).padStart(width, '0');

/**
 * RFC 3339 UTC with `+00:00`, the way chrono's `to_rfc3339_opts(AutoSi, false)` prints it: no fraction when
 * the milliseconds are 0, otherwise 3 digits. Same instant → same text as the crate, so TEXT comparisons agree.
 */
export function formatRfc3339(date: Date): string {
  const ms = date.getUTCMilliseconds();
  return (
    `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}` +
    `T${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}` +
    `${ms === 0 ? '' : `.${pad(ms, 3)}`}+00:00`
  );
}

// sqlx accepts RFC 3339 (any offset, Z), 'YYYY-MM-DD HH:MM:SS[.f]' (UTC) and both without seconds.
const TIMESTAMP_TEXT =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;

/** Parses every text form sqlx decodes as a DateTime<Utc>; the fraction is kept to the millisecond. */
export function parseTimestampText(text: string): Date {
  const match = TIMESTAMP_TEXT.exec(text);
  if (!match) return corrupt('timestamp');
  const [, y, mo, d, h, mi, s = '0', fraction = '', zone] = match;
  const parts = [y, mo, d, h, mi, s].map(Number) as [number, number, number, number, number, number];
  const ms = Number(fraction.padEnd(3, '0').slice(0, 3));
  const wall = new Date(Date.UTC(parts[0], parts[1] - 1, parts[2], parts[3], parts[4], parts[5], ms));
  // Date.UTC rolls 13/45 over into the next year and maps years 0-99 to the 1900s: refuse what it changed.
  const exact =
    wall.getUTCFullYear() === parts[0] &&
    wall.getUTCMonth() === parts[1] - 1 &&
    wall.getUTCDate() === parts[2] &&
    wall.getUTCHours() === parts[3] &&
    wall.getUTCMinutes() === parts[4] &&
    wall.getUTCSeconds() === parts[5];
  if (!exact) return corrupt('timestamp');
  let time = wall.getTime();
  if (zone && zone !== 'Z' && zone !== 'z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const [hours, minutes] = [Number(digits.slice(0, 2)), Number(digits.slice(2, 4) || '0')];
    if (hours > 23 || minutes > 59) return corrupt('timestamp');
    time -= sign * (hours * 60 + minutes) * 60_000;
  }
  return new Date(time);
}

/** How one dialect stores the values of the crate's tables. */
export interface PasskeyCodec {
  readonly dialect: Dialect;
  timestamp(value: Date): Date | string;
  readTimestamp(value: unknown): Date;
  bool(value: boolean): boolean | number;
  readBool(value: unknown): boolean;
  json(value: unknown): string;
  readJson(value: unknown): unknown;
  readSerial(value: unknown): number;
}

function readSerial(value: unknown): number {
  const number = typeof value === 'string' || typeof value === 'bigint' ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isSafeInteger(number)) return corrupt('sequence number');
  return number;
}

export const postgresPasskeyCodec: PasskeyCodec = {
  dialect: 'postgres',
  timestamp: (value) => value,
  readTimestamp(value) {
    if (value instanceof Date && !Number.isNaN(value.getTime())) return value;
    return corrupt('timestamp');
  },
  bool: (value) => value,
  readBool(value) {
    if (typeof value === 'boolean') return value;
    return corrupt('boolean');
  },
  // pg binds a JS string as text; PostgreSQL parses it into the JSONB column.
  json: (value) => JSON.stringify(value ?? null),
  // pg has already parsed JSONB; a JSON string scalar arrives as a JS string and must stay one.
  readJson: (value) => value,
  readSerial,
};

export const sqlitePasskeyCodec: PasskeyCodec = {
  dialect: 'sqlite',
  timestamp: formatRfc3339,
  readTimestamp(value) {
    if (typeof value === 'string') return parseTimestampText(value);
    // sqlx reads an INTEGER in a TIMESTAMP column as unix seconds.
    if (typeof value === 'number' && Number.isSafeInteger(value)) return new Date(value * 1000);
    return corrupt('timestamp');
  },
  bool: (value) => (value ? 1 : 0),
  readBool(value) {
    if (value === 0 || value === 1) return value === 1;
    return corrupt('boolean');
  },
  json: (value) => JSON.stringify(value ?? null),
  readJson(value) {
    if (typeof value !== 'string') return corrupt('JSON');
    try {
      return JSON.parse(value) as unknown;
    } catch {
      // No cause: JSON.parse's message quotes the stored text.
      throw new IntegrityError('stored JSON value is not valid JSON');
    }
  },
  readSerial,
};

export function passkeyCodecFor(dialect: Dialect): PasskeyCodec {
  return dialect === 'postgres' ? postgresPasskeyCodec : sqlitePasskeyCodec;
}
