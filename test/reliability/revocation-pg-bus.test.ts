import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseUrl, dropSchema, freshSchemaName, withClient } from '../support/postgres.js';
import { TcpProxy } from '../support/proxies/tcp-proxy.js';
import { CacheWorker } from './fixtures/cache-workers.js';
import { cpuHog, expectHeld, revocationStorm } from './fixtures/revocation-storm.js';
import { recordTally } from './tally.js';

/** The in-process tier's lease (default leaseMs): its hard bound on serving a revoked entry. */
const LEASE_MS = 1_000;
const tally = { suite: 'revocation-pg-bus', operations: 0, faults: 0, rowsVerified: 0, rowsLost: 0 };

// Issue 21, scenarios 1 and 2: `cache: 'memory'` with the PostgreSQL LISTEN/NOTIFY bus, four processes on one
// schema. Each process's LISTEN connection (directUrl) goes through a TCP proxy of this file: one for the
// revoker, one for the readers, so either side can be made silent (accepts, forwards nothing, never closes).
describe.skipIf(databaseUrl() === null)('revocation over the PostgreSQL bus when the network lies', () => {
  let revokerPath: TcpProxy;
  let readersPath: TcpProxy;
  const schemas: string[] = [];
  const port = () => Number(new URL(databaseUrl()!).port || 5432);
  const through = (proxy: TcpProxy) => {
    const url = new URL(databaseUrl()!);
    url.port = String(proxy.port);
    return url.toString();
  };

  beforeAll(async () => {
    revokerPath = await TcpProxy.start(port());
    readersPath = await TcpProxy.start(port());
  });

  afterAll(async () => {
    await revokerPath?.close();
    await readersPath?.close();
    for (const schema of schemas) await dropSchema(databaseUrl()!, schema);
    recordTally(tally);
  });

  async function deployment(): Promise<{ workers: CacheWorker[]; schema: string }> {
    revokerPath.pass();
    readersPath.pass();
    const schema = freshSchemaName('revpg');
    schemas.push(schema);
    const config = { database: databaseUrl()!, schema, cache: 'memory', cacheOptions: {} };
    const first = await CacheWorker.start({ ...config, directUrl: through(revokerPath) });
    const rest = await Promise.all(
      [1, 2, 3].map(() => CacheWorker.start({ ...config, directUrl: through(readersPath) })),
    );
    return { workers: [first, ...rest], schema };
  }

  /** Ends the LISTEN connections of one deployment that come through `path` (pg_stat_activity.client_port). */
  async function terminateListeners(schema: string, path: TcpProxy): Promise<number> {
    const scope = createHash('sha256').update(`authkeep:\0${schema}`).digest('hex').slice(0, 24);
    const result = await withClient(databaseUrl()!, undefined, (client) =>
      client.query(
        'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1 AND client_port = ANY($2)',
        [`authkeep_cache_${scope}`, path.upstreamPorts()],
      ),
    );
    return result.rowCount ?? 0;
  }

  async function check(name: string, plan: Parameters<typeof revocationStorm>[1], faults = 1) {
    const { workers } = await deployment();
    try {
      const result = await revocationStorm(workers, plan);
      tally.operations += result.reads;
      tally.faults += faults;
      tally.rowsVerified += 40 * workers.length;
      expect(result.cachedBeforeRevocation, name).toBeGreaterThan(0);
      expectHeld(result);
      return result;
    } finally {
      await Promise.all(workers.map((w) => w.stop()));
    }
  }

  it("the revoker's LISTEN path silent: deleteSession publishes with the write, readers drop it", async () => {
    await check('revoker silent', {
      kind: 'session',
      boundMs: LEASE_MS,
      breakBefore: async () => revokerPath.silent(),
      heal: async () => revokerPath.pass(),
    });
  });

  it("the readers' LISTEN paths silent: their leases lapse, so they bypass their tiers", async () => {
    await check('readers silent', {
      kind: 'session',
      boundMs: LEASE_MS,
      breakBefore: async () => readersPath.silent(),
      heal: async () => readersPath.pass(),
    });
  });

  it("the revoker's LISTEN connection terminated and its reconnection silent, deleteUser revoking", async () => {
    const { workers, schema } = await deployment();
    try {
      const result = await revocationStorm(workers, {
        kind: 'user',
        boundMs: LEASE_MS,
        breakBefore: async () => {
          revokerPath.silent();
          expect(await terminateListeners(schema, revokerPath)).toBe(1);
        },
        heal: async () => revokerPath.pass(),
      });
      tally.operations += result.reads;
      tally.faults += 2;
      expect(result.cachedBeforeRevocation).toBeGreaterThan(0);
      expectHeld(result);
    } finally {
      await Promise.all(workers.map((w) => w.stop()));
    }
  });

  it("the revoker's LISTEN connection terminated (pg_terminate_backend) again and again during a storm", async () => {
    const { workers, schema } = await deployment();
    try {
      let kills = 0;
      const result = await revocationStorm(workers, {
        kind: 'session',
        boundMs: LEASE_MS,
        breakBefore: async () => {
          kills += await terminateListeners(schema, revokerPath);
        },
        during: async () => {
          for (let round = 0; round < 8; round += 1) {
            kills += await terminateListeners(schema, revokerPath);
            await new Promise((resolve) => setTimeout(resolve, 100));
          }
        },
      });
      tally.operations += result.reads;
      tally.faults += kills;
      expect(kills).toBeGreaterThan(0);
      expect(result.cachedBeforeRevocation).toBeGreaterThan(0);
      expectHeld(result);
    } finally {
      await Promise.all(workers.map((w) => w.stop()));
    }
  });

  it("every process's LISTEN connection terminated during a storm: readers bypass until re-subscribed", async () => {
    const { workers, schema } = await deployment();
    try {
      let kills = 0;
      const result = await revocationStorm(workers, {
        kind: 'session',
        boundMs: LEASE_MS,
        during: async () => {
          for (let round = 0; round < 5; round += 1) {
            kills += await terminateListeners(schema, revokerPath);
            kills += await terminateListeners(schema, readersPath);
            await new Promise((resolve) => setTimeout(resolve, 150));
          }
        },
      });
      tally.operations += result.reads;
      tally.faults += kills;
      expect(kills).toBeGreaterThan(0);
      expectHeld(result);
    } finally {
      await Promise.all(workers.map((w) => w.stop()));
    }
  });

  it('a revoke storm under a CPU hog, with the readers’ paths delayed 300 ms', async () => {
    const hog = cpuHog();
    try {
      await check('cpu hog', {
        kind: 'session',
        boundMs: LEASE_MS,
        breakBefore: async () => readersPath.delay(300),
        heal: async () => readersPath.delay(0),
      });
    } finally {
      hog.stop();
    }
  });
});
