import { ConfigError } from '../../../domain/errors.js';
import { sanitizedCause } from '../errors.js';

/**
 * How authkeep talks to PostgreSQL: `'transaction'` for a transaction-pooling proxy (PgBouncer in
 * `pool_mode = transaction`, hosted poolers that behave the same), `false` (the default) for a server.
 */
export type PoolerMode = 'transaction' | false;

/** The URL parameter other libraries use for the same mode; removed before the URL reaches pg. */
const URL_FLAG = 'pgbouncer';

const HINT = "use pooler: 'transaction' (or ?pgbouncer=true in the URL)";

/**
 * Reads and removes `?pgbouncer=true` from a PostgreSQL URL. Only the parameter's name is ever echoed:
 * the URL may carry a password.
 */
export function splitPoolerFlag(url: string): { url: string; pooler: PoolerMode | undefined } {
  const query = url.indexOf('?');
  if (query < 0) return { url, pooler: undefined };
  const params = new URLSearchParams(url.slice(query + 1));
  if (!params.has(URL_FLAG)) return { url, pooler: undefined };
  const value = params.get(URL_FLAG)?.toLowerCase();
  if (value !== 'true' && value !== 'false' && value !== '1' && value !== '0') {
    throw new ConfigError('the pgbouncer URL parameter must be true or false');
  }
  params.delete(URL_FLAG);
  const rest = params.toString();
  return {
    url: url.slice(0, query) + (rest ? `?${rest}` : ''),
    pooler: value === 'true' || value === '1' ? 'transaction' : false,
  };
}

/** The pg pool options that travel as startup parameters, which a transaction pooler refuses or drops. */
const STARTUP_OPTIONS = [
  'statement_timeout',
  'lock_timeout',
  'idle_in_transaction_session_timeout',
  'options',
] as const;

/** Refuses settings that would become session state behind a transaction pooler. */
export function assertNoSessionOptions(options: Record<string, unknown>): void {
  const given = STARTUP_OPTIONS.filter((name) => options[name] !== undefined);
  if (given.length > 0) {
    throw new ConfigError(
      `${given.join(', ')} cannot be used with pooler: 'transaction' (session settings do not survive a ` +
        'transaction pooler); use statementTimeoutMs and schema, which are sent per transaction',
    );
  }
}

/**
 * The one message that opens every unit of work on the pooler path: settings made with SET LOCAL end
 * with the transaction, so nothing is left on the server connection for the pooler's next client.
 * `schema` is a checked identifier and the timeout an integer, so nothing here comes from a statement value.
 */
export function beginWithSettings(
  begin: string,
  settings: { statementTimeoutMs: number; schema: string | undefined },
): string {
  const parts = [begin];
  if (settings.statementTimeoutMs > 0)
    parts.push(`set local statement_timeout = ${settings.statementTimeoutMs}`);
  if (settings.schema) parts.push(`set local search_path = ${settings.schema}`);
  return parts.join('; ');
}

interface PgErrorShape {
  code?: string;
  message?: string;
}

/**
 * A transaction pooler met on the named-statement path: a statement this process prepared is missing
 * on the server connection it got (26000), or another client's is there already (42P05). Matched on our
 * statement names only, so a caller's own prepared statements are not mistaken for it.
 */
function isNamedStatementFailure(error: PgErrorShape): boolean {
  return (
    (error.code === '26000' || error.code === '42P05') && /"ak_[A-Za-z0-9_-]+"/.test(error.message ?? '')
  );
}

/** A pooler refusing the startup parameters a direct connection sends (statement_timeout, search_path). */
function isRefusedStartupParameter(error: PgErrorShape): boolean {
  return error.code === '08P01' && /unsupported startup parameter/i.test(error.message ?? '');
}

/** The config error for a direct-mode store that is talking to a transaction pooler, or undefined. */
export function poolerMisconfiguration(error: unknown): ConfigError | undefined {
  const e = (error ?? {}) as PgErrorShape;
  if (isNamedStatementFailure(e)) {
    return new ConfigError(
      `PostgreSQL is reached through a transaction-pooling proxy: prepared statements do not survive it; ${HINT}`,
      { cause: sanitizedCause(error), details: { option: 'pooler', sqlstate: e.code } },
    );
  }
  if (isRefusedStartupParameter(e)) {
    return new ConfigError(
      `the PostgreSQL endpoint (a connection pooler) refuses startup parameters; ${HINT}`,
      { cause: sanitizedCause(error), details: { option: 'pooler', sqlstate: e.code } },
    );
  }
  return undefined;
}
