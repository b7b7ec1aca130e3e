import pino from 'pino';
import type { Logger } from '../../ports/system.js';

/** Field paths pino blanks out wherever they appear in a log object. */
export const REDACTED_PATHS = [
  'password',
  'secret',
  'token',
  'key',
  'code',
  'plaintext',
  'connectionString',
  'url',
  '*.password',
  '*.secret',
  '*.token',
  '*.key',
  '*.code',
  '*.plaintext',
  '*.connectionString',
  '*.url',
];

export interface PinoLoggerOptions {
  level?: string;
  /** Where lines go (default stderr, so stdout stays for a CLI's output). */
  destination?: pino.DestinationStream;
}

export function createPinoLogger(options: PinoLoggerOptions = {}): Logger {
  return pino(
    {
      name: 'authkeep',
      level: options.level ?? process.env.AUTHKEEP_LOG_LEVEL ?? 'warn',
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
