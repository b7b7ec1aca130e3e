import pino from 'pino';
import type { Logger } from '../../ports/system.js';

/**
 * Names of fields that hold secrets. Error and status codes (`code`, `errorCode`) are deliberately
 * absent: `ECONNREFUSED` or `23505` is what an operator needs to see. Driver error fields that can
 * carry statement values (`detail`, `where`, `parameters`) are secrets too.
 */
const SECRET_FIELDS = [
  'password',
  'masterPassword',
  'salt',
  'pepper',
  'tokenPepper',
  'secret',
  'clientSecret',
  'client_secret',
  'signingKey',
  'signing_key',
  'token',
  'sessionToken',
  'session_token',
  'accessToken',
  'refreshToken',
  'apiKey',
  'key',
  'keys',
  'encryptionKeys',
  'verificationCode',
  'verification_code',
  'plaintext',
  'authorization',
  'cookie',
  'connectionString',
  'url',
  'detail',
  'where',
  'parameters',
];

/** Field paths pino blanks out: each secret field at the top level and up to two levels down. */
export const REDACTED_PATHS = SECRET_FIELDS.flatMap((field) => [field, `*.${field}`, `*.*.${field}`]);

export interface PinoLoggerOptions {
  level?: string;
  /** Where lines go (default stderr, so stdout stays for a CLI's output). */
  destination?: pino.DestinationStream;
}

export function createPinoLogger(options: PinoLoggerOptions = {}): Logger {
  return pino(
    {
      name: 'authkeep',
      // The app layer reads AUTHKEEP_LOG_LEVEL (src/app/env.ts defaultLogger); adapters read no environment.
      level: options.level ?? 'warn',
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    },
    options.destination ?? pino.destination(2),
  );
}

/** A logger that drops everything, for callers that want silence. */
export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
