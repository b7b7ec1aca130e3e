/** Time source, so tests and expiry rules share one clock. */
export interface Clock {
  now(): Date;
}

/** Identifier source: time-ordered ids for records, high-entropy tokens for bearer secrets. */
export interface IdGenerator {
  id(): string;
  /** `bytes` random bytes (default 32), base64url unless `hex` is asked for. */
  token(bytes?: number, encoding?: 'base64url' | 'hex'): string;
}

/** Turns a bearer token into the stable digest stored and looked up in its place. */
export interface TokenDigest {
  digest(token: string): string;
  /** Constant-time comparison of two digests. */
  equals(a: string, b: string): boolean;
}

export interface Logger {
  debug(object: Record<string, unknown>, message: string): void;
  info(object: Record<string, unknown>, message: string): void;
  warn(object: Record<string, unknown>, message: string): void;
  error(object: Record<string, unknown>, message: string): void;
}

export interface HealthStatus {
  status: 'ok' | 'error';
  latencyMs: number;
}

/** The connection a store holds: migrations, health and shutdown. */
export interface StoreLifecycle {
  migrate(): Promise<void>;
  health(): Promise<HealthStatus>;
  close(): Promise<void>;
}
