import {
  AuthkeepError,
  ConfigError,
  ConflictError,
  InternalError,
  NotFoundError,
  TimeoutError,
  UnavailableError,
  ValidationError,
} from '../../domain/errors.js';

const BEFORE_SEND = Symbol('authkeep.beforeSend');

/** Marks a driver error raised before any statement reached the server (safe to retry anything). */
export function markBeforeSend(error: unknown): unknown {
  if (error && typeof error === 'object') (error as Record<symbol, boolean>)[BEFORE_SEND] = true;
  return error;
}

/** How a failure may be retried: not at all, always (nothing ran), or only if the work is idempotent. */
export type RetryClass = 'never' | 'always' | 'idempotent';

interface DriverError {
  code?: string;
  errno?: number;
  message?: string;
  constraint?: string;
  detail?: string;
  table?: string;
  column?: string;
  severity?: string;
  syscall?: string;
  name?: string;
  hostname?: string;
}

/**
 * What a driver error may say once it is an authkeep error's `cause`: its code (SQLSTATE or SQLite/Node
 * code), errno, constraint, table and column names. Never the message, `detail`, `where`, values or SQL,
 * which can hold statement values (`Key (email)=(…)`, `invalid input syntax for type uuid: "…"`).
 */
export class DriverFailure extends Error {
  readonly code: string | undefined;
  readonly errno: number | undefined;
  readonly constraint: string | undefined;
  readonly table: string | undefined;
  readonly column: string | undefined;

  constructor(source: DriverError) {
    const pick = (value: unknown) => (typeof value === 'string' && value.length <= 128 ? value : undefined);
    const code = pick(source.code);
    const facts = {
      constraint: pick(source.constraint) ?? sqliteConstraint(code, source.message),
      table: pick(source.table),
      column: pick(source.column),
    };
    const said = Object.entries(facts)
      .filter(([, value]) => value !== undefined)
      .map(([name, value]) => `${name} ${value}`);
    super(`driver error ${code ?? 'without a code'}${said.length > 0 ? ` (${said.join(', ')})` : ''}`);
    this.name = 'DriverFailure';
    this.code = code;
    this.errno = typeof source.errno === 'number' ? source.errno : undefined;
    this.constraint = facts.constraint;
    this.table = facts.table;
    this.column = facts.column;
  }
}

/** SQLite names the failed constraint's columns (never values) at the end of its message. */
function sqliteConstraint(code: string | undefined, message: unknown): string | undefined {
  if (!code?.startsWith('SQLITE_CONSTRAINT') || typeof message !== 'string') return undefined;
  return /constraint failed: ([\w.]+(?:, [\w.]+)*)$/.exec(message)?.[1];
}

/** The sanitised form of a driver error, kept as `cause`; authkeep's own errors pass through unchanged. */
export function sanitizedCause(error: unknown): unknown {
  if (error === undefined || error === null || error instanceof AuthkeepError) return error;
  if (error instanceof DriverFailure) return error;
  return new DriverFailure(typeof error === 'object' ? (error as DriverError) : {});
}

const PG_CONNECTION_CODES = new Set([
  '57P01',
  '57P02',
  '57P03',
  '53300',
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
]);
const NET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'EAI_AGAIN']);

/** pg's messages when a connection is not made (or no pooled one frees up) within connectionTimeoutMillis. */
const CONNECT_TIMEOUT = /connection timeout|timeout exceeded when trying to connect|^timeout expired$/i;
/** pg's message when no answer came within query_timeout. */
const READ_TIMEOUT = /^Query read timeout$/;

/** A deadline that already ran out: repeating the wait would only multiply the caller's. */
function isDeadline(e: DriverError): boolean {
  return CONNECT_TIMEOUT.test(e.message ?? '') || READ_TIMEOUT.test(e.message ?? '');
}

/** A name the server or resolver reported (user, database, host), safe to repeat: bounded, printable. */
function quoted(name: string | undefined): string {
  if (name === undefined) return '';
  const clean = name.replace(/[^\x20-\x7e]/g, '?').slice(0, 63);
  return ` "${clean}"`;
}

/**
 * Connection failures no retry can fix (wrong password, missing database or role, unknown host, malformed
 * URL): a config error naming the user, database or host, never the password. Undefined for anything else.
 */
export function connectionConfigError(error: unknown): ConfigError | undefined {
  const e = (error ?? {}) as DriverError;
  const message = typeof e.message === 'string' ? e.message : '';
  const user = /user "([^"]*)"/.exec(message)?.[1];
  const cause = sanitizedCause(error);
  const fail = (text: string, details: Record<string, unknown>) =>
    new ConfigError(text, { cause, details: { ...details, retry: 'never' } });
  switch (e.code) {
    case '28P01':
      return fail(`the database refused the password of user${quoted(user)}`, { reason: 'authentication' });
    case '28000': {
      const role = /role "([^"]*)" does not exist/.exec(message)?.[1];
      return role !== undefined
        ? fail(`the database has no role${quoted(role)}`, { reason: 'role' })
        : fail(`the database refused the connection of user${quoted(user)}`, { reason: 'authorization' });
    }
    case '3D000': {
      const database = /database "([^"]*)" does not exist/.exec(message)?.[1];
      return fail(`the database${quoted(database)} does not exist`, { reason: 'database' });
    }
    case 'ENOTFOUND':
      return fail(`the database host${quoted(e.hostname)} was not found`, { reason: 'host' });
    case 'ERR_INVALID_URL':
      // The error's own fields hold the whole URL, password included: none of it is repeated.
      return fail('the database URL is malformed', { reason: 'url' });
    default:
      return undefined;
  }
}

export function retryClass(error: unknown): RetryClass {
  const e = (error ?? {}) as DriverError;
  if (isDeadline(e)) return 'never';
  if (connectionConfigError(error)) return 'never';
  if ((error as Record<symbol, boolean> | null)?.[BEFORE_SEND]) return 'always';
  // The server rolled the transaction back, so repeating it cannot double-apply anything.
  if (e.code === '40001' || e.code === '40P01') return 'always';
  if (e.code === 'SQLITE_BUSY' || e.code === 'SQLITE_LOCKED') return 'always';
  if (e.code && (PG_CONNECTION_CODES.has(e.code) || NET_CODES.has(e.code))) return 'idempotent';
  if (
    /Connection terminated|Client has encountered a connection error|not queryable/i.test(e.message ?? '')
  ) {
    return 'idempotent';
  }
  return 'never';
}

/** Maps a driver error to a typed authkeep error without leaking values from the statement. */
export function translateError(error: unknown, entity = 'record'): AuthkeepError {
  if (error instanceof AuthkeepError) return error;
  const e = (error ?? {}) as DriverError;
  const code = e.code ?? '';
  const cause = sanitizedCause(error);
  // 23P01: an exclusion constraint, which keeps session keys unique under a hash index (migration 0009).
  if (
    code === '23505' ||
    code === '23P01' ||
    code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    code === 'SQLITE_CONSTRAINT_PRIMARYKEY'
  ) {
    return new ConflictError(`${entity} already exists`, {
      cause,
      details: { constraint: e.constraint },
    });
  }
  if (code === '23503' || code === 'SQLITE_CONSTRAINT_FOREIGNKEY') {
    return new NotFoundError(`${entity} refers to a record that does not exist`, { cause });
  }
  if (code.startsWith('22') || code === '23502' || code === '23514' || code.startsWith('SQLITE_CONSTRAINT')) {
    return new ValidationError(`${entity} was rejected by the database`, { cause });
  }
  if (code === '57014') return new TimeoutError('statement timed out', { cause });
  const config = connectionConfigError(error);
  if (config) return config;
  if (CONNECT_TIMEOUT.test(e.message ?? '')) {
    return new UnavailableError('the database did not accept a connection within the connect timeout', {
      cause,
      details: { retry: 'never' },
    });
  }
  if (READ_TIMEOUT.test(e.message ?? '')) {
    return new TimeoutError('the database did not answer within the query timeout', { cause });
  }
  const retry = retryClass(error);
  if (retry !== 'never') {
    return new UnavailableError('database is unavailable', { cause, details: { retry } });
  }
  return new InternalError('database operation failed', { cause });
}
