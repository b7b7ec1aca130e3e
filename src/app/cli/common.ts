import { parseArgs, type ParseArgsConfig } from 'node:util';
import { silentLogger } from '../../adapters/log/pino-logger.js';
import { createAuthStorage } from '../config.js';
import { CliError, type CliIo } from './io.js';

export const DATABASE_OPTION = {
  database: { type: 'string', short: 'd' },
  redis: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

/** parseArgs with our error style: an unknown flag is a one-line usage error. */
export function parse<O extends NonNullable<ParseArgsConfig['options']>>(
  argv: string[],
  options: O,
): ReturnType<typeof parseArgs<{ args: string[]; options: O; allowPositionals: true; strict: true }>> {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new CliError((error as Error).message, 2);
  }
}

/** The kitium storage for `--database` or AUTHKEEP_DATABASE_URL (or the embedded file). */
export function openStorage(database: string | undefined, io: CliIo) {
  return createAuthStorage({ database: database ?? io.env.AUTHKEEP_DATABASE_URL, logger: silentLogger });
}
