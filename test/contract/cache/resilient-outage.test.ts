import { spawnSync } from 'node:child_process';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RedisCache } from '../../../src/adapters/cache/redis/redis-cache.js';
import { ResilientCache } from '../../../src/adapters/cache/resilient/resilient-cache.js';
import type { Logger } from '../../../src/ports/system.js';
import { RedisServerProcess } from '../../support/servers/redis-server.js';
import { eventually, uniqueNamespace } from './cache-contract.js';

const hasRedisServer = spawnSync('redis-server', ['--version']).status === 0;
if (!hasRedisServer && process.env.REQUIRE_SERVICES === '1') {
  throw new Error('[authkeep tests] redis-server binary not on PATH: the cache outage suite is required');
}

interface LogLine {
  level: string;
  message: string;
  object: Record<string, unknown>;
}

function capturingLogger(lines: LogLine[]): Logger {
  const at = (level: string) => (object: Record<string, unknown>, message: string) =>
    lines.push({ level, message, object });
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

// Every test stops and starts a redis-server of its own: the shared one on 6379 is never touched.
describe.skipIf(!hasRedisServer)('ResilientCache when its Redis goes away', () => {
  let server: RedisServerProcess;
  let raw: Redis;
  const opened: ResilientCache[] = [];

  beforeAll(async () => {
    server = await RedisServerProcess.start();
    raw = new Redis(server.port, '127.0.0.1', { maxRetriesPerRequest: null });
    raw.on('error', () => undefined);
  });

  afterEach(async () => {
    await server.startAgain();
    for (const cache of opened.splice(0)) await cache.close();
  });

  afterAll(async () => {
    raw?.disconnect();
    await server?.destroy();
  });

  // Well above 50 ms: on a loaded 2-core machine a healthy first command (connect included) can take that long.
  function open(options: { maxPendingInvalidations?: number; timeoutMs?: number } = {}) {
    const lines: LogLine[] = [];
    const namespace = uniqueNamespace('outage');
    const inner = new RedisCache({ url: server.url }, { namespace });
    // Recovery probes every 50 ms so the tests do not idle.
    const cache = new ResilientCache(inner, {
      logger: capturingLogger(lines),
      probeIntervalMs: 50,
      timeoutMs: 1_000,
      // Writes return at once here: these tests check the queue itself, not how long a revocation waits.
      invalidationWaitMs: 0,
      ...options,
    });
    opened.push(cache);
    const warnings = () => lines.filter((line) => line.level === 'warn').map((line) => line.message);
    return { cache, namespace, warnings };
  }

  /** Calls through the wrapper until it serves `key` again: recovery is observed, not waited for. */
  async function untilServing(cache: ResilientCache, key: string, value: string): Promise<void> {
    await eventually(async () => expect(await cache.get(key)).toBe(value), 30_000);
  }

  it('reads miss, writes never throw, and one warning is logged per outage plus one on recovery', async () => {
    const { cache, warnings } = open();
    await cache.set('control', 'c');
    expect(await cache.get('control')).toBe('c');

    await server.stop({ keepData: true });
    for (let round = 0; round < 20; round += 1) {
      expect(await cache.get('control')).toBeNull();
      await expect(cache.set('written', 'x', 60_000)).resolves.toBeUndefined();
      await expect(cache.delete('gone')).resolves.toBeUndefined();
      expect(await cache.take('ticket')).toBeNull();
      expect(await cache.setIfAbsent('lock', 'me')).toBe(false);
      expect(await cache.update('counter', () => '1')).toBeNull();
      expect(await cache.deletePrefix('tenant:')).toBe(0);
    }
    expect(cache.health()).toBe('degraded');
    expect(warnings()).toHaveLength(1);
    expect(warnings()[0]).toMatch(/unavailable/);

    await server.startAgain();
    await untilServing(cache, 'control', 'c');
    expect(cache.health()).toBe('healthy');
    expect(warnings()).toHaveLength(2);
    expect(warnings()[1]).toMatch(/recovered/);
  });

  it('never serves an entry deleted during the outage once Redis returns with its old data', async () => {
    const { cache, namespace } = open();
    await cache.set('session:1', 'still-valid');
    await cache.set('control', 'c');

    await server.stop({ keepData: true });
    // Reads notice the outage first (three failures), so the delete is only remembered, never queued in the driver.
    for (let round = 0; round < 3; round += 1) expect(await cache.get('control')).toBeNull();
    await cache.delete('session:1');
    await server.startAgain();
    // The restarted server loaded its snapshot: the entry is back on disk and in memory.
    expect(await raw.get(`${namespace}session:1`)).toBe('still-valid');

    expect(await cache.get('session:1')).toBeNull();
    await untilServing(cache, 'control', 'c');
    expect(await cache.get('session:1')).toBeNull();
    expect(await raw.get(`${namespace}session:1`)).toBeNull();
  });

  it('treats a paused (slow) Redis as an outage and replays the invalidation afterwards', async () => {
    const { cache, namespace, warnings } = open({ timeoutMs: 300 });
    await cache.set('session:2', 'still-valid');
    await cache.set('control', 'c');

    // Far longer than the 300 ms budget, so only a hung machine could make the read succeed in time.
    await raw.call('CLIENT', 'PAUSE', '5000', 'ALL');
    // One slow command is a miss, not an outage; three in a row are (hysteresis).
    expect(await cache.get('control')).toBeNull();
    expect(cache.health()).toBe('healthy');
    expect(await cache.get('control')).toBeNull();
    expect(await cache.get('control')).toBeNull();
    expect(cache.health()).toBe('degraded');
    await cache.delete('session:2');
    expect(warnings()).toHaveLength(1);

    await untilServing(cache, 'control', 'c');
    expect(await cache.get('session:2')).toBeNull();
    expect(await raw.get(`${namespace}session:2`)).toBeNull();
    expect(warnings()).toHaveLength(2);
  });

  it('replays a delete that arrives while the recovery probe is in flight (outage began on a read)', async () => {
    const { cache, namespace } = open({ timeoutMs: 2_000 });
    await cache.set('session:3', 'still-valid');
    await cache.set('control', 'c');
    await server.stop({ keepData: true });
    // Reads notice the outage; nothing is queued.
    for (let round = 0; round < 3; round += 1) expect(await cache.get('control')).toBeNull();
    expect(cache.health()).toBe('degraded');
    await server.startAgain();
    expect(await raw.get(`${namespace}session:3`)).toBe('still-valid');
    // Redis holds every command for a while: the probe the next call starts is stuck in flight.
    await raw.call('CLIENT', 'PAUSE', '1500', 'ALL');
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(await cache.get('control')).toBeNull(); // starts the probe
    await cache.delete('session:3'); // lands while the probe is in flight
    await untilServing(cache, 'control', 'c');
    expect(await cache.get('session:3')).toBeNull();
    expect(await raw.get(`${namespace}session:3`)).toBeNull();
  });

  it('flushes its whole namespace on recovery when the pending list overflowed', async () => {
    const { cache, namespace } = open({ maxPendingInvalidations: 3 });
    const neighbour = new RedisCache({ url: server.url }, { namespace: uniqueNamespace('neighbour') });
    for (let index = 0; index < 5; index += 1) await cache.set(`k${index}`, 'v');
    await cache.set('untouched-but-flushed', 'v');
    await neighbour.set('theirs', 'v');

    await server.stop({ keepData: true });
    for (let index = 0; index < 5; index += 1) await cache.delete(`k${index}`);
    await server.startAgain();

    await eventually(async () => {
      await cache.get('anything');
      expect(cache.health()).toBe('healthy');
    }, 30_000);
    expect(await raw.keys(`${namespace}*`)).toEqual([]);
    expect(await neighbour.get('theirs')).toBe('v');
    await neighbour.deletePrefix('');
    await neighbour.close();
  });
});
