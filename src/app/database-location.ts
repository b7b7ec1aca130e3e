import type { Logger } from '../ports/system.js';
import { isDatabaseHandle } from './database-handle.js';

/**
 * Where a database target points, safe to log: `postgres://host:port/db` (no user, password or query),
 * the SQLite path, or what kind of connection the caller handed over.
 */
export function databaseLocation(target: unknown): string {
  if (isDatabaseHandle(target)) return "the caller's own connection";
  if (typeof target !== 'string') return 'an open store';
  if (/^postgres(ql)?:\/\//i.test(target)) {
    try {
      const url = new URL(target);
      return `${url.protocol}//${url.host}${url.pathname}`;
    } catch {
      return 'postgres://(unparsable URL)';
    }
  }
  return target.startsWith('sqlite:') ? target.replace(/\?.*$/, '') : target;
}

/** The info line every facade writes once, when it opens, naming the database it chose. */
export function logDatabaseChoice(logger: Logger, target: unknown, facade: string): void {
  logger.info({ database: databaseLocation(target), facade }, 'authkeep database');
}
