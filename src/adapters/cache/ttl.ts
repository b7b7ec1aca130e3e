import { ValidationError } from '../../domain/errors.js';

/** Checks a cache TTL and rounds it up to whole milliseconds (Redis PX takes integers); 0 means no expiry. */
export function normaliseTtl(ttlMs: number | undefined): number {
  if (ttlMs === undefined) return 0;
  if (typeof ttlMs !== 'number' || !Number.isFinite(ttlMs) || ttlMs < 0) {
    throw new ValidationError('cache TTL must be a finite number of milliseconds, 0 or more', {
      details: { field: 'ttlMs' },
    });
  }
  return Math.ceil(ttlMs);
}

/** Errors a cache store raises on purpose for bad input: callers must see them, never a silent miss. */
export function isCallerError(error: unknown): boolean {
  return error instanceof ValidationError;
}
