import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteStorageAdapter } from '../../../src/app/kitium/adapters.js';
import { silentLogger } from '../../../src/adapters/log/pino-logger.js';
import { testCacheSecret } from '../../support/cache-secret.js';
import { RedisServerProcess } from '../../support/servers/redis-server.js';
import { TcpProxy } from '../../support/proxies/tcp-proxy.js';
import { uniqueNamespace } from './cache-contract.js';

const hasRedisServer = spawnSync('redis-server', ['--version']).status === 0;
const hour = 3_600_000;
/** revokeTimeoutMs set here, and the timer lateness a loaded machine adds to it. */
const BOUND_MS = 1_500;
const SLACK_MS = 300;

// A revoking call over an in-process tier whose Redis path goes silent: it must fail within its bound,
// typed and retryable, and succeed once repeated after the path is back (issue 21, Deliver 1).
describe.skipIf(!hasRedisServer)('a revocation that cannot be confirmed fails, bounded and retryable', () => {
  let server: RedisServerProcess;
  let path: TcpProxy;
  let adapter: SqliteStorageAdapter;

  beforeAll(async () => {
    server = await RedisServerProcess.start();
    path = await TcpProxy.start(server.port);
    adapter = new SqliteStorageAdapter(':memory:', {
      logger: silentLogger,
      cache: path.url as `redis://${string}`,
      cacheOptions: {
        local: true,
        secret: testCacheSecret,
        namespace: uniqueNamespace('unconfirmed'),
        revokeTimeoutMs: BOUND_MS,
        probeIntervalMs: 100,
      },
    });
    await adapter.connect();
  });

  afterAll(async () => {
    await adapter?.disconnect();
    await path?.close();
    await server?.destroy();
  });

  it('deleteSession on a silent path: unavailable, retryable, details.revocation, within revokeTimeoutMs', async () => {
    const session = await adapter.createSession({
      userId: 'u',
      entitlements: [],
      expiresAt: new Date(Date.now() + hour),
    });
    expect(await adapter.getSession(session.id)).toEqual(session);
    path.silent();
    const started = performance.now();
    const outcome = await adapter.deleteSession(session.id).then(
      () => 'succeeded',
      (error: unknown) => error,
    );
    const took = performance.now() - started;
    expect(outcome).toMatchObject({
      code: 'unavailable',
      retryable: true,
      details: { revocation: 'unconfirmed' },
    });
    expect(took).toBeLessThanOrEqual(BOUND_MS + SLACK_MS);

    // The silent connection dies (its held bytes with it); the caller repeats the call until it succeeds.
    path.cut();
    path.pass();
    const deadline = Date.now() + 10_000;
    for (;;) {
      const done = await adapter.deleteSession(session.id).then(
        () => true,
        (error: { retryable?: boolean }) => {
          if (!error.retryable || Date.now() > deadline) throw error;
          return false;
        },
      );
      if (done) break;
    }
    expect(await adapter.getSession(session.id)).toBeNull();
  });
});
