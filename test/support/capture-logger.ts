import type { Logger } from '../../src/ports/system.js';

export interface CapturedLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  object: Record<string, unknown>;
  message: string;
}

/** A Logger that keeps what it is told, so a test can assert on warnings (and on what they never contain). */
export function captureLogger(): Logger & { lines: CapturedLine[] } {
  const lines: CapturedLine[] = [];
  const at = (level: CapturedLine['level']) => (object: Record<string, unknown>, message: string) => {
    lines.push({ level, object, message });
  };
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
