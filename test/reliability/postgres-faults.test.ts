import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresStorageAdapter, silentLogger, type UserRecord } from '../../src/index.js';
import { OwnPostgres } from '../support/servers/own-postgres.js';
import { awaitLater } from '../support/await-later.js';
import { recordTally } from './tally.js';

describe('PostgreSQL faults (a server of the suite’s own)', () => {
  let server: OwnPostgres;
  beforeAll(async () => {
    server = await OwnPostgres.create();
  });
  afterAll(async () => server?.destroy());

  it('connections killed with pg_terminate_backend during a write load: retried, nothing lost or duplicated', async () => {
    const tag = `ak-load-${randomUUID().slice(0, 8)}`;
    const adapter = new PostgresStorageAdapter(server.url, {
      logger: silentLogger,
      max: 8,
      maxRetries: 5,
      application_name: tag,
    });
    await adapter.connect();
    const killer = new pg.Client({ connectionString: server.url });
    await killer.connect();
    let faults = 0;
    let loading = true;
    const killing = awaitLater(
      (async () => {
        while (loading) {
          const { rowCount } = await killer.query(
            `select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1 and state <> 'idle'`,
            [tag],
          );
          faults += rowCount ?? 0;
          await new Promise((r) => setTimeout(r, 5));
        }
      })(),
    );

    // At least 1500 operations, and on until 10 in-flight statements were killed: a fast machine finishes
    // 1500 before a 5 ms poll catches many non-idle backends (the test once injected no fault at all).
    const OPS = 1500;
    const MIN_FAULTS = 10;
    const deadline = Date.now() + 60_000;
    const prefix = randomUUID().slice(0, 8);
    const succeeded: UserRecord[] = [];
    const failed: { code?: string; retryable?: boolean }[] = [];
    let next = 0;
    const worker = async () => {
      while (next < OPS || (faults < MIN_FAULTS && Date.now() < deadline)) {
        const i = next++;
        try {
          const user = await adapter.createUser({ email: `${prefix}-${i}@load.test`, name: `user ${i}` });
          await adapter.createSession({
            userId: user.id,
            entitlements: [],
            expiresAt: new Date(Date.now() + 60_000),
          });
          succeeded.push(user);
        } catch (error) {
          failed.push(error as { code?: string; retryable?: boolean });
        }
      }
    };
    await Promise.all(Array.from({ length: 12 }, worker));
    loading = false;
    await killing;
    await killer.end();

    // Every acknowledged write is there, once; no email is stored twice; failures are typed and retryable.
    const rows = await queryRows(
      server.url,
      `select id, email_normalized from users where email_normalized like $1`,
      [`${prefix}-%`],
    );
    const ids = new Set(rows.map((r) => r.id as string));
    const lost = succeeded.filter((u) => !ids.has(u.id)).length;
    const emails = rows.map((r) => r.email_normalized as string);
    expect(new Set(emails).size).toBe(emails.length);
    expect(lost).toBe(0);
    expect(
      failed.every((e) => e.retryable === true && (e.code === 'unavailable' || e.code === 'timeout')),
    ).toBe(true);
    expect(faults).toBeGreaterThanOrEqual(MIN_FAULTS);
    for (const user of succeeded.slice(0, 50))
      expect((await adapter.getUser(user.id))?.email).toBe(user.email);
    await adapter.disconnect();
    recordTally({
      suite: 'pg-terminate-backend',
      operations: next * 2,
      faults,
      rowsVerified: rows.length,
      rowsLost: lost,
    });
  });

  it('server stopped and started: healthCheck reports error then ok, and the adapter recovers without a restart', async () => {
    const adapter = new PostgresStorageAdapter(server.url, {
      logger: silentLogger,
      connectionTimeoutMillis: 1000,
    });
    await adapter.connect();
    const user = await adapter.createUser({ email: `${randomUUID()}@restart.test` });
    expect((await adapter.healthCheck()).status).toBe('ok');
    await server.stop();
    expect((await adapter.healthCheck()).status).toBe('error');
    await expect(adapter.getUser(user.id)).rejects.toMatchObject({ code: 'unavailable', retryable: true });
    await server.start();
    let health = await adapter.healthCheck();
    for (let i = 0; i < 20 && health.status !== 'ok'; i++) {
      await new Promise((r) => setTimeout(r, 250));
      health = await adapter.healthCheck();
    }
    expect(health.status).toBe('ok');
    expect((await adapter.getUser(user.id))?.id).toBe(user.id);
    const after = await adapter.createUser({ email: `${randomUUID()}@restart.test` });
    expect((await adapter.getUser(after.id))?.id).toBe(after.id);
    await adapter.disconnect();
    recordTally({ suite: 'pg-stop-start', operations: 6, faults: 1, rowsVerified: 2, rowsLost: 0 });
  });
});

async function queryRows(url: string, text: string, values: unknown[]): Promise<Record<string, unknown>[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text, values)).rows;
  } finally {
    await client.end();
  }
}
