import { createHash, randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { runMigrations } from '../../src/adapters/kysely/schema/migrator.js';
import { bucketOfToken, SESSION_BUCKET_MS } from '../../src/domain/records/session-bucket.js';
import { PostgresStorageAdapter, silentLogger } from '../../src/index.js';
import { migrationBackends } from '../support/kitium-migration-backends.js';
import { kitiumMigrations } from '../../migrations/index.js';
import { databaseUrl, dropSchema, freshSchemaName, withClient } from '../support/postgres.js';

const day = SESSION_BUCKET_MS;
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const url = databaseUrl();
const today = () => Math.floor(Date.now() / day);

for (const backend of migrationBackends('partitions0008')) {
  describe.skipIf(!backend.available)(`migration 0008: sessions by expiry bucket [${backend.name}]`, () => {
    afterAll(() => backend.cleanup());

    it('converts in place: sessions stored before it read by their old tokens; verify accepts the result', async () => {
      const before = backend.open({ migrations: 'skip' });
      // The database as it was at 0007, with sessions written under plain 43-character tokens.
      await runMigrations(before.sqlStore, kitiumMigrations.slice(0, 8), before.migrationContext());
      const tokens = [0, 1, 2].map(() => randomBytes(32).toString('base64url'));
      const expiresAt = new Date(Date.now() + day);
      const { codec } = before.sqlStore;
      for (const token of tokens) {
        await before.sqlStore.db
          .insertInto('sessions')
          .values({
            id: sha256(token),
            user_id: 'legacy',
            entitlements: codec.array([]),
            expires_at: codec.timestamp(expiresAt),
            created_at: codec.timestamp(new Date()),
            updated_at: codec.timestamp(new Date()),
          } as never)
          .execute();
      }
      const oid = async () =>
        (await sql<{ oid: number }>`select 'sessions'::regclass::oid as oid`.execute(before.sqlStore.db))
          .rows[0]?.oid;
      const tableBefore = backend.name === 'postgres' ? await oid() : undefined;
      await before.disconnect();

      const after = backend.open();
      await after.connect();
      for (const token of tokens) {
        expect(bucketOfToken(token)).toBe(0);
        expect(await after.getSession(token)).toMatchObject({ id: token, userId: 'legacy', expiresAt });
      }
      await after.updateSession(tokens[0]!, { plan: 'pro' });
      expect((await after.getSession(tokens[0]!))?.plan).toBe('pro');
      await after.deleteSession(tokens[1]!);
      expect(await after.getSession(tokens[1]!)).toBeNull();
      const fresh = await after.createSession({ userId: 'new', entitlements: [], expiresAt });
      expect(await after.getSession(fresh.id)).toMatchObject({ userId: 'new' });
      if (backend.name === 'postgres') {
        const { rows } = await sql<{ kind: string; legacy: number }>`
          select (select relkind from pg_class where oid = 'sessions'::regclass) as kind,
                 'sessions_b0'::regclass::oid as legacy`.execute(after.sqlStore.db);
        // The old table is partition b0 itself (same relation), not a copy.
        expect(rows[0]).toEqual({ kind: 'p', legacy: tableBefore });
      }
      expect(await after.migrate()).toEqual([]);
      await after.sweepExpired(); // adds and may drop partitions: verify must not care
      await after.disconnect();
      const verified = backend.open({ migrations: 'verify' });
      await expect(verified.connect()).resolves.toBeUndefined();
      await verified.disconnect();
    });
  });
}

/** Relations a plan reads, from EXPLAIN (FORMAT JSON). */
function relationsIn(plan: unknown, out: string[] = []): string[] {
  if (plan && typeof plan === 'object') {
    const node = plan as Record<string, unknown>;
    if (typeof node['Relation Name'] === 'string') out.push(node['Relation Name']);
    for (const value of Object.values(node)) relationsIn(value, out);
  }
  return out;
}

describe.skipIf(url === null)('sessions partitioned by expiry bucket [postgres]', () => {
  const schema = freshSchemaName('partitions');
  const open = () => new PostgresStorageAdapter(url as string, { schema, logger: silentLogger, max: 10 });
  const adapter = open();
  afterAll(async () => {
    await adapter.disconnect();
    await dropSchema(url as string, schema);
  });
  const inBucket = (daysFromToday: number) => new Date((today() + daysFromToday) * day + day / 2);
  const create = (daysFromToday: number) =>
    adapter.createSession({ userId: 'p', entitlements: [], expiresAt: inBucket(daysFromToday) });
  const partitions = async () =>
    (
      await sql<{ name: string }>`
        select c.relname as name from pg_inherits i join pg_class c on c.oid = i.inhrelid
        where i.inhparent = 'sessions'::regclass order by 1`.execute(adapter.sqlStore.db)
    ).rows.map((row) => row.name);

  it('a read by token probes one partition, with a custom and with a generic plan', async () => {
    await adapter.connect();
    const sessions = [await create(-5), await create(1), await create(3), await create(9)];
    const target = sessions[2]!;
    const bucket = bucketOfToken(target.id);
    expect(bucket).toBe(today() + 3);
    const select = 'select * from sessions where id = $1 and bucket = $2';
    await withClient(url as string, schema, async (client) => {
      // The digest as 32 bytes (migration 0009).
      const custom = await client.query(`explain (analyze, format json) ${select}`, [
        Buffer.from(sha256(target.id), 'hex'),
        bucket,
      ]);
      expect(relationsIn(custom.rows)).toEqual([`sessions_b${bucket}`]);
      await client.query('set plan_cache_mode = force_generic_plan');
      await client.query(`prepare probe(bytea, integer) as ${select}`);
      // EXPLAIN EXECUTE takes no bind parameters: the digest is a bytea literal and the bucket a number.
      const generic = await client.query(
        `explain (analyze, format json) execute probe('\\x${sha256(target.id)}', ${bucket})`,
      );
      // A generic plan lists every partition and prunes at executor start-up: one is read.
      const plan = JSON.stringify(generic.rows);
      expect(plan).toMatch(/"Subplans Removed":\s*[1-9]/);
      expect(relationsIn(generic.rows)).toEqual([`sessions_b${bucket}`]);
    });
    // A token whose bucket was changed finds nothing (the digest covers the whole token).
    const forged = target.id.replace(/\.[0-9a-z]+$/, `.${(bucket + 1).toString(36)}`);
    expect(await adapter.getSession(forged)).toBeNull();
    // One naming a bucket that has no partition reads as no session, and deleting it does nothing.
    const nowhere = target.id.replace(/\.[0-9a-z]+$/, '.zzzzz');
    expect(await adapter.getSession(nowhere)).toBeNull();
    await expect(adapter.deleteSession(nowhere)).resolves.toBeUndefined();
    expect(await adapter.getSession(target.id)).toMatchObject({ id: target.id });
  });

  it('the first sessions of a bucket nobody created, from two processes at once, all land in one new partition', async () => {
    const other = open();
    try {
      const far = inBucket(400);
      const made = await Promise.all(
        Array.from({ length: 16 }, (_, i) =>
          (i % 2 === 0 ? adapter : other).createSession({
            userId: `c${i}`,
            entitlements: [],
            expiresAt: far,
          }),
        ),
      );
      for (const session of made)
        expect(await adapter.getSession(session.id)).toMatchObject({ expiresAt: far });
      expect((await partitions()).filter((name) => name === `sessions_b${today() + 400}`)).toHaveLength(1);
    } finally {
      await other.disconnect();
    }
  });

  it('sweepExpired() drops ended partitions whole (the table shrinks), keeps live ones, creates the next week', async () => {
    const old = await Promise.all(Array.from({ length: 200 }, (_, i) => create(-2 - (i % 2))));
    const live = await create(2);
    const size = async () =>
      Number(
        (
          await sql<{ bytes: string }>`
            select sum(pg_total_relation_size(inhrelid)) as bytes from pg_inherits
            where inhparent = 'sessions'::regclass`.execute(adapter.sqlStore.db)
        ).rows[0]?.bytes,
      );
    const sizeBefore = await size();
    expect(await partitions()).toEqual(
      expect.arrayContaining([`sessions_b${today() - 2}`, `sessions_b${today() - 3}`]),
    );
    const counts = await adapter.sweepExpired();
    expect(counts.sessions).toBeGreaterThanOrEqual(200);
    const after = await partitions();
    expect(after.filter((name) => Number(name.slice('sessions_b'.length)) < today())).toEqual([]);
    for (let d = 0; d <= 7; d++) expect(after).toContain(`sessions_b${today() + d}`);
    expect(await size()).toBeLessThan(sizeBefore);
    for (const session of old.slice(0, 5)) expect(await adapter.getSession(session.id)).toBeNull();
    expect(await adapter.getSession(live.id)).not.toBeNull();
  });

  it('a drop waiting for a long transaction to end makes no reader wait (detach concurrently)', async () => {
    const ended = await create(-4);
    const live = await create(1);
    let swept: number | Error | undefined;
    await withClient(url as string, schema, async (longReader) => {
      await longReader.query('begin');
      await longReader.query('select count(*) from sessions');
      // The sweep waits for the open transaction; its handler is attached before anything else is awaited.
      const sweep = adapter.sweepExpired().then(
        (counts) => (swept = counts.sessions),
        (error: Error) => (swept = error),
      );
      await new Promise((resolve) => setTimeout(resolve, 300));
      const read = await Promise.race([
        adapter.getSession(live.id),
        new Promise((resolve) => setTimeout(() => resolve('blocked'), 5_000)),
      ]);
      expect(read).toMatchObject({ id: live.id });
      expect(swept).toBeUndefined();
      await longReader.query('commit');
      await sweep;
    });
    expect(swept).toBe(1);
    expect(await adapter.getSession(ended.id)).toBeNull();
  });
  it('two processes sweeping at once remove each ended partition once, and neither fails', async () => {
    const other = open();
    try {
      await Promise.all(Array.from({ length: 30 }, (_, i) => create(-5 - (i % 3))));
      const [a, b] = await Promise.all([adapter.sweepExpired(), other.sweepExpired()]);
      expect(a.sessions + b.sessions).toBe(30);
      expect(
        (await partitions()).filter((name) => Number(name.slice('sessions_b'.length)) < today()),
      ).toEqual([]);
    } finally {
      await other.disconnect();
    }
  });
});
