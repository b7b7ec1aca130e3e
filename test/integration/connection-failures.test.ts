import { describe, expect, it } from 'vitest';
import { inspect } from 'node:util';
import { PostgresStorageAdapter } from '../../src/app/kitium/adapters.js';
import { connectionConfigError, retryClass, translateError } from '../../src/adapters/kysely/errors.js';
import { captureLogger } from '../support/capture-logger.js';
import { databaseUrl } from '../support/postgres.js';

const secret = 'sw0rdf1sh-never-shown';

/** A URL like the shared server's, with the user, password, host, port or database changed. */
function variant(change: (url: URL) => void): string {
  const url = new URL(databaseUrl()!);
  url.password = secret;
  change(url);
  return url.toString();
}

async function connectError(url: string) {
  const logger = captureLogger();
  const adapter = new PostgresStorageAdapter(url, { logger, migrations: 'apply' });
  const error = await adapter.connect().then(
    () => undefined,
    (caught: unknown) => caught,
  );
  await adapter.disconnect().catch(() => undefined);
  return { error, logged: JSON.stringify(logger.lines) };
}

function expectNoSecret(error: unknown, logged: string): void {
  const shown = [String(error), inspect(error, { depth: 5 }), JSON.stringify(error), logged].join('\n');
  expect(shown).not.toContain(secret);
}

describe.skipIf(databaseUrl() === null)('connection failures: configuration is not an outage', () => {
  it('a missing database is a non-retryable config error naming it (3D000)', async () => {
    const { error, logged } = await connectError(variant((url) => (url.pathname = '/authkeep_no_such_db')));
    expect(error).toMatchObject({ code: 'config', retryable: false });
    expect((error as Error).message).toContain('"authkeep_no_such_db" does not exist');
    expectNoSecret(error, logged);
  });

  it('a missing role is a non-retryable config error naming it (28000)', async () => {
    const { error, logged } = await connectError(variant((url) => (url.username = 'authkeep_no_such_role')));
    expect(error).toMatchObject({ code: 'config', retryable: false });
    expect((error as Error).message).toContain('"authkeep_no_such_role"');
    expectNoSecret(error, logged);
  });

  it('a malformed URL is a config error that repeats none of it', async () => {
    const { error, logged } = await connectError(`postgres://u:${secret}@127.0.0.1:notaport/db`);
    expect(error).toMatchObject({ code: 'config', retryable: false });
    expectNoSecret(error, logged);
  });

  it('a refused connection stays unavailable and retryable', async () => {
    const { error } = await connectError(variant((url) => (url.port = '1')));
    expect(error).toMatchObject({ code: 'unavailable', retryable: true });
  });
});

describe('connection failures classified from the driver error', () => {
  // Shapes as pg 8.23 (lib/client.js, pg-protocol) and Node's resolver report them.
  it('wrong password (28P01) and unknown host (ENOTFOUND) are config errors naming user / host', () => {
    const password = translateError({
      code: '28P01',
      message: 'password authentication failed for user "app"',
    });
    expect(password).toMatchObject({ code: 'config', retryable: false });
    expect(password.message).toContain('"app"');
    const host = translateError({
      code: 'ENOTFOUND',
      hostname: 'db.internal',
      message: 'getaddrinfo ENOTFOUND',
    });
    expect(host).toMatchObject({ code: 'config', retryable: false });
    expect(host.message).toContain('"db.internal"');
    expect(retryClass({ code: '28P01' })).toBe('never');
    expect(retryClass({ code: 'ENOTFOUND' })).toBe('never');
  });

  it('refused, reset and timed-out connections stay unavailable', () => {
    for (const code of ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EAI_AGAIN', '57P01', '08006']) {
      expect(connectionConfigError({ code })).toBeUndefined();
      expect(translateError({ code })).toMatchObject({ code: 'unavailable', retryable: true });
    }
  });
});
