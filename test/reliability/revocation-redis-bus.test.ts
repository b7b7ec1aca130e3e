import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testCacheSecret } from '../support/cache-secret.js';
import { databaseUrl, dropSchema, freshSchemaName } from '../support/postgres.js';
import { RedisServerProcess } from '../support/servers/redis-server.js';
import { TcpProxy } from '../support/proxies/tcp-proxy.js';
import { CacheWorker } from './fixtures/cache-workers.js';
import { cpuHog, expectHeld, revocationStorm, type StormPlan } from './fixtures/revocation-storm.js';
import { recordTally } from './tally.js';

const LEASE_MS = 1_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const tally = { suite: 'revocation-redis-bus', operations: 0, faults: 0, rowsVerified: 0, rowsLost: 0 };

// Issue 21, scenario 3: an in-process tier in front of Redis (cacheOptions.local), pub/sub bus, four processes.
// The revoker reaches this file's own redis-server through one TCP proxy, the readers through another.
describe.skipIf(databaseUrl() === null)('revocation over the Redis bus when the network lies', () => {
  let server: RedisServerProcess;
  let revokerPath: TcpProxy;
  let readersPath: TcpProxy;
  const schemas: string[] = [];

  beforeAll(async () => {
    server = await RedisServerProcess.start();
    revokerPath = await TcpProxy.start(server.port);
    readersPath = await TcpProxy.start(server.port);
  });

  afterAll(async () => {
    await revokerPath?.close();
    await readersPath?.close();
    await server?.destroy();
    for (const schema of schemas) await dropSchema(databaseUrl()!, schema);
    recordTally(tally);
  });

  async function check(plan: StormPlan): Promise<void> {
    revokerPath.pass();
    readersPath.pass();
    const schema = freshSchemaName('revredis');
    schemas.push(schema);
    const cacheOptions = {
      local: true,
      secret: testCacheSecret,
      namespace: `revredis:${Math.random().toString(36).slice(2)}:`,
      probeIntervalMs: 100,
    };
    const config = { database: databaseUrl()!, schema, cacheOptions };
    const first = await CacheWorker.start({ ...config, cache: revokerPath.url });
    const rest = await Promise.all(
      [1, 2, 3].map(() => CacheWorker.start({ ...config, cache: readersPath.url })),
    );
    const workers = [first, ...rest];
    try {
      const result = await revocationStorm(workers, plan);
      tally.operations += result.reads;
      tally.faults += 1;
      tally.rowsVerified += 40 * workers.length;
      expect(result.cachedBeforeRevocation).toBeGreaterThan(0);
      expectHeld(result);
    } finally {
      await Promise.all(workers.map((w) => w.stop()));
    }
  }

  // A silent path never heals on the same connection: its held bytes are dropped with it (cut), as when
  // keepalive or a timeout finally ends it; only new connections pass.
  const dies = async (path: TcpProxy, afterMs: number) => {
    await sleep(afterMs);
    path.cut();
    path.pass();
  };

  it("the revoker's path silent for 5 s, then dead: its revocations fail (retryable) until published", async () => {
    await check({
      kind: 'session',
      boundMs: LEASE_MS,
      readForMs: 10_000,
      breakBefore: async () => revokerPath.silent(),
      during: () => dies(revokerPath, 5_000),
    });
  });

  it("the revoker's replies silent for 5 s (its commands still arrive), then dead: none served", async () => {
    await check({
      kind: 'session',
      boundMs: LEASE_MS,
      readForMs: 10_000,
      breakBefore: async () => revokerPath.silent('down'),
      during: () => dies(revokerPath, 5_000),
    });
  });

  it("the readers' paths silent: their leases lapse, they bypass both tiers, none served", async () => {
    await check({
      kind: 'user',
      boundMs: LEASE_MS,
      breakBefore: async () => readersPath.silent(),
      heal: () => dies(readersPath, 0),
    });
  });

  it('a revoke storm under a CPU hog, every packet to the readers delayed 100 ms', async () => {
    const hog = cpuHog();
    try {
      await check({
        kind: 'session',
        boundMs: LEASE_MS,
        breakBefore: async () => readersPath.delay(100, 'down'),
        heal: async () => readersPath.delay(0),
      });
    } finally {
      hog.stop();
    }
  });
});
