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

/** Base class of every error authkeep throws on purpose. */
export class AuthkeepError extends Error {
  readonly code: AuthkeepErrorCode;
  readonly retryable: boolean;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: AuthkeepErrorCode, message: string, options: AuthkeepErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.details = options.details;
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

export function isAuthkeepError(error: unknown): error is AuthkeepError {
  return error instanceof AuthkeepError;
}
