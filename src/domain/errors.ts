/** Stable machine-readable error codes; part of the public API. */
export type AuthkeepErrorCode =
  | 'not_found'
  | 'conflict'
  | 'validation'
  | 'unavailable'
  | 'timeout'
  | 'integrity'
  | 'config'
  | 'forbidden'
  | 'internal';

export interface AuthkeepErrorOptions {
  cause?: unknown;
  retryable?: boolean;
  /** Non-secret facts that help a caller react (field name, entity kind). */
  details?: Record<string, unknown>;
}

// A registry symbol, the same in every copy of authkeep loaded at once (its ESM and CJS builds, two versions).
const BRAND = Symbol.for('authkeep.error');

function isBranded(value: unknown): value is AuthkeepError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
}

/**
 * Base class of every error authkeep throws on purpose. `instanceof` (and isAuthkeepError) recognise an
 * error from another copy of the package by its brand: for a subclass, the brand and the class name.
 */
export class AuthkeepError extends Error {
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (Function.prototype[Symbol.hasInstance].call(this, value)) return true;
    if (!isBranded(value)) return false;
    return this === AuthkeepError || (value as Error).name === this.name;
  }

  readonly code: AuthkeepErrorCode;
  readonly retryable: boolean;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: AuthkeepErrorCode, message: string, options: AuthkeepErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    // A bundler may rename the base class (`_AuthkeepError`); subclasses keep the names they are exported as.
    this.name = new.target === AuthkeepError ? 'AuthkeepError' : new.target.name;
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.details = options.details;
    Object.defineProperty(this, BRAND, { value: true });
  }
}

export class NotFoundError extends AuthkeepError {
  constructor(message: string, options?: AuthkeepErrorOptions) {
    super('not_found', message, options);
  }
}

export class ConflictError extends AuthkeepError {
  constructor(message: string, options?: AuthkeepErrorOptions) {
    super('conflict', message, options);
  }
}

export class ValidationError extends AuthkeepError {
  constructor(message: string, options?: AuthkeepErrorOptions) {
    super('validation', message, options);
  }
}

export class UnavailableError extends AuthkeepError {
  constructor(message: string, options?: AuthkeepErrorOptions) {
    super('unavailable', message, { retryable: true, ...options });
  }
}

export class TimeoutError extends AuthkeepError {
  constructor(message: string, options?: AuthkeepErrorOptions) {
    super('timeout', message, { retryable: true, ...options });
  }
}

/** Stored data failed an authenticity or consistency check (tampering, wrong key). */
export class IntegrityError extends AuthkeepError {
  constructor(message: string, options?: AuthkeepErrorOptions) {
    super('integrity', message, options);
  }
}

export class ConfigError extends AuthkeepError {
  constructor(message: string, options?: AuthkeepErrorOptions) {
    super('config', message, options);
  }
}

/** The operation is refused by a rule of the domain (e.g. changing a system role). */
export class ForbiddenError extends AuthkeepError {
  constructor(message: string, options?: AuthkeepErrorOptions) {
    super('forbidden', message, options);
  }
}

export class InternalError extends AuthkeepError {
  constructor(message: string, options?: AuthkeepErrorOptions) {
    super('internal', message, options);
  }
}

/** Whether `error` is one authkeep threw, from this copy of the package or another (ESM and CJS). */
export function isAuthkeepError(error: unknown): error is AuthkeepError {
  return isBranded(error);
}
