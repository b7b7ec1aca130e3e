import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replicaRoutingStats, silentLogger } from '../../src/index.js';
import {
  authkeepAdapter,
  migrateBetterAuth,
  type AuthkeepBetterAuthAdapter,
} from '../../src/app/better-auth/index.js';
import { OwnPostgres } from '../support/servers/own-postgres.js';
import { OwnReplica, replicationToolsAvailable } from '../support/servers/own-replica.js';
import { flowOptions, makeAuth, signIn, signUp, type Auth } from './support/auth-flows.js';

const available = await replicationToolsAvailable();
if (!available) {
  const line =
    '[authkeep tests] PostgreSQL server binaries missing: the better-auth replica suite is SKIPPED';
  if (process.env.REQUIRE_SERVICES === '1') throw new Error(line.replace('SKIPPED', 'required'));
  console.warn(line);
}

const SCHEMA = 'ba_replica';

async function sql<R extends pg.QueryResultRow>(url: string, text: string): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(text)).rows;
  } finally {
    await client.end();
  }
}

/**
 * SELECTs of better-auth's session table each server has executed, from its own pg_stat_statements
 * (counted in shared memory at once, on a standby too): who served the reads, by the servers' account.
 */
async function sessionSelects(url: string): Promise<number> {
  const [row] = await sql<{ calls: string }>(
    url,
    `select coalesce(sum(calls), 0)::text as calls from pg_stat_statements
      where query ~* '^\\s*select' and query like '%"session"%'`,
  );
  return Number(row!.calls);
}

/** better-auth 1.7.25 on authkeepAdapter over a primary and a real streaming standby (pg_basebackup -R). */
describe.skipIf(!available)('better-auth on a primary and a streaming read replica', () => {
  let primary: OwnPostgres;
  let replica: OwnReplica;
  let adapter: AuthkeepBetterAuthAdapter;
  let auth: Auth;

  function open(replicaMaxLagMs: number): AuthkeepBetterAuthAdapter {
    return authkeepAdapter({
      database: primary.url,
      schema: SCHEMA,
      replicas: [replica.url],
      replicaMaxLagMs,
      replicaRetryMs: 300,
      logger: silentLogger,
    });
  }

  async function caughtUp(): Promise<void> {
    const [{ lsn }] = (await sql<{ lsn: string }>(
      primary.url,
      'select pg_current_wal_insert_lsn()::text as lsn',
    )) as [{ lsn: string }];
    for (let tries = 0; tries < 600; tries += 1) {
      const [row] = await replica.sql<{ ok: boolean }>(`select pg_last_wal_replay_lsn() >= '${lsn}' as ok`);
      if (row?.ok) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error('standby did not catch up within 60 s');
  }

  beforeAll(async () => {
    primary = await OwnPostgres.create();
    // In postgresql.auto.conf, which pg_basebackup copies: the standby loads it too.
    await sql(primary.url, "alter system set shared_preload_libraries = 'pg_stat_statements'");
    await primary.stop();
    await primary.start();
    await sql(primary.url, 'create extension pg_stat_statements');
    await sql(primary.url, `create schema ${SCHEMA}`);
    replica = await OwnReplica.create(primary);
    // A read waits this long for the standby before reading the primary; generous on a loaded machine.
    adapter = open(5_000);
    await migrateBetterAuth({ database: adapter.store, options: flowOptions(adapter) });
    auth = makeAuth(adapter);
    await caughtUp();
  }, 120_000);

  afterAll(async () => {
    await adapter?.close();
    await replica?.destroy();
    await primary?.destroy();
  });

  it('getSession and listSessions are served by the replica, and see a sign-in at once', async () => {
    const routed = () => replicaRoutingStats(adapter.store)!;
    const first = await signUp(auth, 'replica@example.com');
    const [primaryBefore, replicaBefore, routedBefore] = [
      await sessionSelects(primary.url),
      await sessionSelects(replica.url),
      routed(),
    ];
    const rounds = 20;
    for (let index = 0; index < rounds; index += 1) {
      // Written on the primary, read back at once through the replica: never missing.
      const { client, response } = await signIn(auth, 'replica@example.com');
      expect((await auth.api.getSession({ headers: client }))?.session.token).toBe(response.token);
      expect((await auth.api.getSession({ headers: first.client }))?.user.email).toBe('replica@example.com');
    }
    const listed = await auth.api.listSessions({ headers: first.client });
    expect(listed).toHaveLength(rounds + 1);

    const onReplica = (await sessionSelects(replica.url)) - replicaBefore;
    const onPrimary = (await sessionSelects(primary.url)) - primaryBefore;
    // Each getSession reads the session (with its user) once; listSessions too (after its own getSession).
    expect(onReplica).toBeGreaterThanOrEqual(2 * rounds + 2);
    expect(onPrimary).toBe(0);
    expect(routed().replica - routedBefore.replica).toBeGreaterThanOrEqual(2 * rounds + 2);
    expect(routed().primary - routedBefore.primary).toBe(0);
  }, 60_000);

  it('with replay paused, a new session is found and a revoked one is refused (the primary answers)', async () => {
    // A short wait for the standby, so each read on the paused one falls back quickly.
    const lagging = open(50);
    const paused = makeAuth(lagging);
    const onStandby = async (token: string) =>
      (await replica.sql(`select 1 from ${SCHEMA}.session where token = '${token}'`)).length;
    try {
      const kept = await signUp(paused, 'paused@example.com');
      const doomed = await signIn(paused, 'paused@example.com');
      await caughtUp();
      expect(await paused.api.getSession({ headers: doomed.client })).not.toBeNull();
      const primaryBefore = await sessionSelects(primary.url);
      await replica.pauseReplay();
      try {
        await paused.api.revokeSession({ headers: kept.client, body: { token: doomed.response.token! } });
        const fresh = await signIn(paused, 'paused@example.com');
        // The standby still holds the revoked session and lacks the new one: serving it would get both wrong.
        expect(await onStandby(doomed.response.token!)).toBe(1);
        expect(await onStandby(fresh.response.token!)).toBe(0);
        expect(await paused.api.getSession({ headers: doomed.client })).toBeNull();
        expect((await paused.api.getSession({ headers: fresh.client }))?.session.token).toBe(
          fresh.response.token,
        );
        const tokens = (await paused.api.listSessions({ headers: kept.client })).map((s) => s.token);
        expect(tokens).toContain(fresh.response.token);
        expect(tokens).not.toContain(doomed.response.token);
        // Those reads were the primary's, by its own count.
        expect((await sessionSelects(primary.url)) - primaryBefore).toBeGreaterThanOrEqual(3);
      } finally {
        await replica.resumeReplay();
      }
      await caughtUp();
      expect(await onStandby(doomed.response.token!)).toBe(0);
      expect(await paused.api.getSession({ headers: doomed.client })).toBeNull();
    } finally {
      await lagging.close();
    }
  }, 60_000);

  it('revokeOtherSessions under replication: every other session is gone for the next read', async () => {
    const me = await signUp(auth, 'others@example.com');
    const others = [];
    for (let index = 0; index < 5; index += 1) others.push(await signIn(auth, 'others@example.com'));
    await caughtUp();
    for (const other of others) expect(await auth.api.getSession({ headers: other.client })).not.toBeNull();
    await auth.api.revokeOtherSessions({ headers: me.client });
    for (const other of others) expect(await auth.api.getSession({ headers: other.client })).toBeNull();
    expect((await auth.api.getSession({ headers: me.client }))?.user.email).toBe('others@example.com');
  }, 60_000);
});
