import { createHash } from 'node:crypto';
import { createServer, type AddressInfo } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresStorageAdapter, replicaRoutingStats } from '../../src/index.js';
import { captureLogger } from '../support/capture-logger.js';
import {
  replicationToolsAvailable,
  startReplicatedPostgres,
  type ReplicatedPostgres,
} from '../support/servers/own-replica.js';

const available = await replicationToolsAvailable();
if (!available) {
  const line = '[authkeep tests] PostgreSQL server binaries missing: the read-replica suite is SKIPPED';
  if (process.env.REQUIRE_SERVICES === '1') throw new Error(line.replace('SKIPPED', 'required'));
  console.warn(line);
}

const hour = 3_600_000;
const SCHEMA = 'replica_routing';

describe.skipIf(!available)('read replicas: revoked credentials are never served from a replica', () => {
  let servers: ReplicatedPostgres;
  let adapter: PostgresStorageAdapter;
  let primary: pg.Pool;
  const logger = captureLogger();

  const stats = () => replicaRoutingStats(adapter.sqlStore)!;
  const input = () => ({ userId: 'u1', entitlements: ['e'], expiresAt: new Date(Date.now() + hour) });
  const open = (replicas: string[], extra: Record<string, number> = {}) =>
    new PostgresStorageAdapter(servers.primary.url, {
      schema: SCHEMA,
      replicas,
      logger,
      replicaRetryMs: 300,
      // Generous on a loaded machine: a read waits this long for the replica before using the primary.
      replicaMaxLagMs: 3_000,
      ...extra,
    });

  beforeAll(async () => {
    servers = await startReplicatedPostgres(1);
    adapter = open([servers.replicas[0]!.url]);
    await adapter.connect();
    // Another process, as far as the adapter can tell: its own pool, sharing no state with the router.
    primary = new pg.Pool({ connectionString: servers.primary.url, options: `-c search_path=${SCHEMA}` });
    await primary.query('create table load_filler (id serial primary key, pad text)');
    await servers.caughtUp();
  }, 120_000);

  afterAll(async () => {
    await adapter?.disconnect();
    await primary?.end();
    await servers?.destroy();
  });

  /** Writes on the primary from other connections until stopped, so the replica keeps falling behind. */
  function writeLoad(): { stop(): Promise<number> } {
    let running = true;
    let writes = 0;
    const loop = async () => {
      while (running) {
        await primary.query(
          "insert into load_filler (pad) select repeat('x', 200) from generate_series(1, 20)",
        );
        writes += 1;
      }
    };
    // Handled at once: a failing writer must fail the test through stop(), not as an unhandled rejection.
    const done = Promise.allSettled([loop(), loop()]);
    return {
      async stop() {
        running = false;
        for (const outcome of await done) if (outcome.status === 'rejected') throw outcome.reason;
        return writes;
      },
    };
  }

  it('finds a session just created (read-your-writes) and serves reads from the replica', async () => {
    const load = writeLoad();
    const before = stats();
    try {
      for (let index = 0; index < 150; index += 1) {
        const session = await adapter.createSession(input());
        expect(await adapter.getSession(session.id)).toEqual(session);
      }
    } finally {
      expect(await load.stop()).toBeGreaterThan(0);
    }
    const after = stats();
    expect(after.replica + after.primary - before.replica - before.primary).toBe(150);
    expect(after.replica - before.replica).toBeGreaterThan(0);
  });

  it('never returns a session deleted or changed by another process before the read began', async () => {
    const load = writeLoad();
    const before = stats();
    try {
      for (let index = 0; index < 150; index += 1) {
        const session = await adapter.createSession(input());
        await servers.caughtUp();
        // Warm: the replica has the session, and serves it.
        expect(await adapter.getSession(session.id)).not.toBeNull();
        if (index % 2 === 0) {
          await primary.query('delete from sessions where id = $1', [adapterKey(session.id)]);
          expect(await adapter.getSession(session.id)).toBeNull();
        } else {
          await primary.query(`update sessions set plan = 'revoked' where id = $1`, [adapterKey(session.id)]);
          expect((await adapter.getSession(session.id))?.plan).toBe('revoked');
        }
      }
    } finally {
      await load.stop();
    }
    expect(stats().replica - before.replica).toBeGreaterThan(150);
  }, 120_000);

  it('a paused replica serves nothing revoked after the pause: reads fall back to the primary, logged once', async () => {
    const replica = servers.replicas[0]!;
    const session = await adapter.createSession(input());
    const kept = await adapter.createSession(input());
    await servers.caughtUp();
    const lagging = adapter2();
    await lagging.connect();
    await replica.pauseReplay();
    try {
      await primary.query('delete from sessions where id = $1', [adapterKey(session.id)]);
      const before = stats();
      for (let index = 0; index < 5; index += 1) {
        expect(await lagging.getSession(session.id)).toBeNull();
        expect(await lagging.getSession(kept.id)).toEqual(kept);
        const created = await lagging.createSession(input());
        expect(await lagging.getSession(created.id)).toEqual(created);
      }
      expect(await adapter.getSession(session.id)).toBeNull();
      expect(stats().primary).toBeGreaterThan(before.primary);
      const warnings = logger.lines.filter(
        (line) => line.level === 'warn' && String(line.object.problem).startsWith('lagging'),
      );
      expect(warnings.length).toBeGreaterThanOrEqual(1);
      // One line per adapter that noticed, not one per read (each skips the replica for replicaRetryMs).
      expect(warnings.length).toBeLessThanOrEqual(4);
    } finally {
      await replica.resumeReplay();
      await lagging.disconnect();
    }
    await servers.caughtUp();
    await new Promise((resolve) => setTimeout(resolve, 400));
    const before = stats();
    expect(await adapter.getSession(kept.id)).toEqual(kept);
    expect(stats().replica).toBe(before.replica + 1);
    expect(logger.lines.some((line) => line.message === 'read replica serving reads again')).toBe(true);

    // A short wait bound, so a paused replica costs each read at most about that long.
    function adapter2() {
      return open([replica.url], { replicaMaxLagMs: 50 });
    }
  }, 60_000);

  it('a replica that is down costs nothing but a logged line: reads go to the primary', async () => {
    const replica = servers.replicas[0]!;
    const session = await adapter.createSession(input());
    await replica.stop('fast');
    try {
      const warningsBefore = logger.lines.filter((line) => line.level === 'warn').length;
      for (let index = 0; index < 20; index += 1) {
        expect(await adapter.getSession(session.id)).toEqual(session);
      }
      const warnings = logger.lines.filter((line) => line.level === 'warn').slice(warningsBefore);
      expect(warnings.filter((line) => line.object.replica === 'replica 1').length).toBe(1);
      expect(JSON.stringify(warnings)).not.toContain(String(replica.port));
    } finally {
      await replica.start();
    }
  }, 60_000);

  it('a replica that accepts connections but never answers holds a read only until the connect deadline', async () => {
    const silent = createServer(() => undefined); // accepts, never speaks
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    const hung = open([`postgres://postgres@127.0.0.1:${port}/postgres`], { replicaRetryMs: 600_000 });
    try {
      await hung.connect();
      const session = await hung.createSession(input());
      const started = Date.now();
      const read = hung.getSession(session.id);
      await expect(read).resolves.toEqual(session);
      // The replica pool's connect deadline is 2 s; generous for a loaded machine, far below "hangs".
      expect(Date.now() - started).toBeLessThan(15_000);
      for (let index = 0; index < 10; index += 1) expect(await hung.getSession(session.id)).toEqual(session);
      // Tried once, then skipped: every read went to the primary, and one line says why.
      expect(replicaRoutingStats(hung.sqlStore)).toMatchObject({ replica: 0, primary: 11 });
    } finally {
      await hung.disconnect();
      silent.close();
    }
  }, 60_000);

  it('skips a "replica" that is not a standby, since its replay position cannot be checked', async () => {
    const wrong = open([servers.primary.url]);
    await wrong.connect();
    try {
      const session = await wrong.createSession(input());
      expect(await wrong.getSession(session.id)).toEqual(session);
      expect(replicaRoutingStats(wrong.sqlStore)).toMatchObject({ replica: 0, primary: 1 });
      expect(logger.lines.some((line) => String(line.object.problem).startsWith('not a standby'))).toBe(true);
    } finally {
      await wrong.disconnect();
    }
  });
});

/** Sessions are stored under the SHA-256 of their token, 32 raw bytes (migration 0009). */
function adapterKey(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}
