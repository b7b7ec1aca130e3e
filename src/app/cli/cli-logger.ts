import { createPinoLogger } from '../../adapters/log/pino-logger.js';
import type { Logger } from '../../ports/system.js';
import type { CliIo } from './io.js';

const LEVEL_NAMES: Record<number, string> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warning',
  50: 'error',
  60: 'fatal',
};
const ENVELOPE = new Set(['level', 'time', 'pid', 'hostname', 'name', 'msg']);

/**
 * The CLI's logger: warnings and errors (or `level`) on stderr, one line each, as
 * `authkeep warning: <message> {fields}`; fields pass through the library's redaction first.
 */
export function cliLogger(io: CliIo, level: string): Logger {
  const logger = createPinoLogger({
    level,
    destination: {
      write(line: string) {
        io.err(formatLine(line));
      },
    },
  });
  // A retry notice (it carries `attempt`) is news only if the retry fails, and then the command's own
  // error line says so: at the default level a failing command prints exactly one line.
  return {
    debug: (object, message) => logger.debug(object, message),
    info: (object, message) => logger.info(object, message),
    error: (object, message) => logger.error(object, message),
    warn: (object, message) =>
      'attempt' in object ? logger.info(object, message) : logger.warn(object, message),
  };
}

function formatLine(line: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line.trimEnd();
  }
  const fields = Object.fromEntries(Object.entries(entry).filter(([key]) => !ENVELOPE.has(key)));
  const level = LEVEL_NAMES[Number(entry.level)] ?? 'log';
  const extra = Object.keys(fields).length > 0 ? ` ${JSON.stringify(fields)}` : '';
  return `authkeep ${level}: ${String(entry.msg ?? '')}${extra}`;
}
