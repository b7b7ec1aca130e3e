import { UnavailableError } from '../../../domain/errors.js';

/** A cache operation that outlived its deadline. */
export class CacheTimeout extends Error {}

/** What the outage warning says: the error's messages down its causes, and the innermost code. */
export function outageReason(error: unknown): { reason: string; errorCode?: string } {
  if (error instanceof CacheTimeout) return { reason: 'timeout' };
  const reasons: string[] = [];
  let errorCode: string | undefined;
  for (let e = error, depth = 0; e !== undefined && e !== null && depth < 4; depth++) {
    const { code, message, cause } = e as { code?: unknown; message?: unknown; cause?: unknown };
    if (typeof message === 'string' && message !== '') reasons.push(message);
    if (typeof code === 'string') errorCode = code;
    e = cause;
  }
  const reason = reasons.length > 0 ? reasons.join(': ') : String(error);
  return errorCode === undefined ? { reason } : { reason, errorCode };
}

/** The error of a call on a closed cache: not retryable. */
export function closedError(): UnavailableError {
  return new UnavailableError('cache is closed', { retryable: false });
}
