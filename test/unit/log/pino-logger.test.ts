import { describe, expect, it } from 'vitest';
import { createPinoLogger } from '../../../src/adapters/log/pino-logger.js';

function captured() {
  const lines: string[] = [];
  const logger = createPinoLogger({
    level: 'debug',
    destination: { write: (line: string) => lines.push(line) },
  });
  return { logger, lines: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

describe('the pino logger redacts secrets by name, never error codes', () => {
  it('keeps error and status codes readable', () => {
    const { logger, lines } = captured();
    logger.warn({ code: 'ECONNREFUSED' }, 'idle PostgreSQL connection lost');
    logger.warn({ errorCode: '23505', err: { code: '57P01' } }, 'retrying');
    expect(lines()[0]?.code).toBe('ECONNREFUSED');
    expect(lines()[1]).toMatchObject({ errorCode: '23505', err: { code: '57P01' } });
  });

  it('blanks secrets at the top level and nested, including driver details with statement values', () => {
    const { logger, lines } = captured();
    logger.error(
      {
        password: 'pw-1',
        config: { masterPassword: 'pw-2', salt: 'salt-1', url: 'postgres://u:pw-3@h/db' },
        err: { code: '23505', detail: 'Key (email)=(kate@example.com) already exists.' },
        deep: { request: { token: 'tok-1', verificationCode: '123456' } },
      },
      'failure',
    );
    const text = JSON.stringify(lines());
    for (const secret of ['pw-1', 'pw-2', 'salt-1', 'pw-3', 'kate@example.com', 'tok-1', '123456']) {
      expect(text).not.toContain(secret);
    }
    expect(text).toContain('23505');
  });
});
