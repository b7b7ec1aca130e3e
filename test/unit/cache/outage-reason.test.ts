import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { RedisCache } from '../../../src/adapters/cache/redis/redis-cache.js';
import { ResilientCache } from '../../../src/adapters/cache/resilient/resilient-cache.js';
import type { Logger } from '../../../src/ports/system.js';
import { eventually } from '../../contract/cache/cache-contract.js';

/** A loopback port nobody listens on: connecting to it is refused at once. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('a cache outage is logged with its reason', () => {
  let cache: ResilientCache | undefined;
  afterEach(() => cache?.close());

  it('the first failed write (an invalidation) says why, not "unknown"', async () => {
    const warnings: Record<string, unknown>[] = [];
    const logger: Logger = {
      debug: () => undefined,
      info: () => undefined,
      error: () => undefined,
      warn: (object) => warnings.push(object as Record<string, unknown>),
    };
    const inner = new RedisCache(
      { url: `redis://127.0.0.1:${await closedPort()}` },
      { namespace: 'outage-reason:' },
    );
    cache = new ResilientCache(inner, { logger, timeoutMs: 10_000, probeIntervalMs: 60_000 });
    await cache.delete('k1');
    // One failure is not yet an outage (hysteresis); the replay of the invalidation failing too is.
    await eventually(async () => expect(warnings).toHaveLength(1));
    expect(warnings[0]?.reason).toEqual(expect.any(String));
    expect(warnings[0]?.reason).not.toBe('unknown');
    expect(JSON.stringify(warnings[0])).toMatch(/ECONNREFUSED|connect|closed|retries/i);
  }, 30_000);
});
