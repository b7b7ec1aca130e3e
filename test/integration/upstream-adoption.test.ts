import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeColumns, openPostgres } from '../../src/adapters/kysely/index.js';
import { PostgresStorageAdapter, silentLogger } from '../../src/index.js';
import { kitiumMigrations, UPSTREAM_TABLES } from '../../migrations/index.js';
import { UPSTREAM_DDL, upstreamRows } from '../fixtures/upstream-schema.js';
import { databaseUrl, dropSchema, freshSchemaName, withClient } from '../support/postgres.js';

const url = databaseUrl();
const upstreamKey = `api_${'cd'.repeat(32)}`;
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
// Upstream's tables plus the three of ours: the ledger, the OAuth link table and SAML tenant configs.
const TABLES = [...UPSTREAM_TABLES, 'auth_migrations', 'user_oauth_links', 'saml_tenant_configs'];

describe.skipIf(!url)('adopting a database created by @kitiumai/auth-postgres', () => {
  const adopted = freshSchemaName('adopt');
  const fresh = freshSchemaName('fresh');
  let adapter: PostgresStorageAdapter;

  beforeAll(async () => {
    await withClient(url!, undefined, async (c) => {
      await c.query(`create schema ${adopted}`);
      await c.query(`set search_path = ${adopted}`);
      await c.query(UPSTREAM_DDL);
      await c.query(upstreamRows(sha256(upstreamKey)));
    });
    adapter = new PostgresStorageAdapter(url!, { schema: adopted, logger: silentLogger });
    await adapter.connect();
  });

  afterAll(async () => {
    await adapter?.disconnect();
    await dropSchema(url!, adopted);
    await dropSchema(url!, fresh);
  });

  it('records our migrations after upstream’s and keeps upstream’s row', async () => {
    const ids = await withClient(url!, adopted, async (c) =>
      (await c.query('select id from auth_migrations')).rows.map((r) => r.id).sort(),
    );
    expect(ids).toEqual(kitiumMigrations.map((m) => m.id).sort());
    expect(ids[0]).toBe('0001_initial_schema_v2');
  });

  it('turns every timestamp into timestamptz, reading the old values as UTC', async () => {
    const naive = await withClient(
      url!,
      adopted,
      async (c) =>
        (
          await c.query(
            `select count(*)::int as n from information_schema.columns where table_schema = $1 and data_type = 'timestamp without time zone'`,
            [adopted],
          )
        ).rows[0].n,
    );
    expect(naive).toBe(0);
    const alice = await adapter.getUser('user-1');
    expect(alice?.createdAt.toISOString()).toBe('2024-01-01T10:00:00.000Z');
    expect((await adapter.getUser('user-2'))?.createdAt.toISOString()).toBe('2024-01-05T09:30:00.123Z');
  });

  it('keeps every user and makes email unique case-insensitively (the oldest keeps a duplicated address)', async () => {
    for (const id of ['user-1', 'user-2', 'user-3', 'user-4'])
      expect(await adapter.getUser(id)).not.toBeNull();
    expect((await adapter.getUserByEmail('alice@example.com'))?.id).toBe('user-1');
    expect((await adapter.getUserByEmail('BOB@EXAMPLE.COM'))?.id).toBe('user-2');
    await expect(adapter.createUser({ email: 'bob@EXAMPLE.com' })).rejects.toMatchObject({
      code: 'conflict',
    });
    expect((await adapter.getUser('user-3'))?.email).toBe('ALICE@example.COM');
  });

  it('moves OAuth links into the one-owner table; a link duplicated upstream stays with its first owner', async () => {
    const owner = await adapter.getUserByOAuth('google', 'g-1');
    expect(owner?.id).toBe('user-1');
    expect(owner?.oauth?.google?.linkedAt).toEqual(new Date('2024-03-01T10:00:00.000Z'));
    const other = await adapter.createUser({});
    await expect(
      adapter.linkOAuthAccount(other.id, 'google', { provider: 'google', sub: 'g-1', linkedAt: new Date() }),
    ).rejects.toMatchObject({
      code: 'conflict',
    });
  });

  it('keeps sessions working by their old ids while storing only digests', async () => {
    const session = await adapter.getSession('sess-plain-token-1');
    expect(session).toMatchObject({
      id: 'sess-plain-token-1',
      userId: 'user-1',
      orgId: 'org-1',
      entitlements: ['pro'],
      metadata: { ip: '10.0.0.1' },
    });
    expect(session?.expiresAt.toISOString()).toBe('2099-01-01T00:00:00.000Z');
    const ids = await withClient(url!, adopted, async (c) =>
      (await c.query('select id from sessions')).rows.map((r) => r.id),
    );
    expect(ids).not.toContain('sess-plain-token-1');
    expect(ids).toContain(sha256('sess-plain-token-1'));
  });

  it('keeps API keys, organisations with member Dates, tokens and attempt counts; drops orphan counts', async () => {
    expect((await adapter.verifyApiKeySecret(upstreamKey))?.id).toBe('key-1');
    const org = await adapter.getOrganization('org-1');
    expect(org?.members[0]?.joinedAt).toEqual(new Date('2024-01-01T10:00:00.000Z'));
    expect((await adapter.getEmailVerificationTokens('bob@example.com')).map((t) => t.id)).toEqual(['tok-1']);
    expect(await adapter.getEmailVerificationTokenAttempts('tok-1')).toBe(2);
    expect(await adapter.incrementEmailVerificationTokenAttempts('tok-1')).toBe(3);
    const orphans = await withClient(
      url!,
      adopted,
      async (c) =>
        (
          await c.query(
            `select count(*)::int as n from email_verification_token_attempts where token_id = 'tok-orphan'`,
          )
        ).rows[0].n,
    );
    expect(orphans).toBe(0);
  });

  it('collapses duplicate role assignments and drops the updated_at triggers', async () => {
    const counts = await withClient(url!, adopted, async (c) => ({
      assignments: (await c.query('select count(*)::int as n from user_roles')).rows[0].n,
      triggers: (
        await c.query(
          `select count(*)::int as n from information_schema.triggers where trigger_schema = $1`,
          [adopted],
        )
      ).rows[0].n,
    }));
    expect(counts).toEqual({ assignments: 2, triggers: 0 });
  });

  it('ends with exactly the schema a fresh database gets, column by column and index by index', async () => {
    const freshAdapter = new PostgresStorageAdapter(url!, { schema: fresh, logger: silentLogger });
    await freshAdapter.connect();
    await freshAdapter.disconnect();
    const describe = async (schema: string) => {
      const store = openPostgres(url!, { schema }, silentLogger);
      try {
        const columns = await describeColumns(store.db as never, 'postgres', TABLES);
        const indexes = await withClient(
          url!,
          schema,
          async (c) =>
            (
              await c.query(
                `select tablename, indexname from pg_indexes where schemaname = $1 and indexname not like '%_pkey' order by 1, 2`,
                [schema],
              )
            ).rows,
        );
        return { columns, indexes };
      } finally {
        await store.close();
      }
    };
    const [a, b] = await Promise.all([describe(adopted), describe(fresh)]);
    expect(a.columns.map((c) => `${c.table}.${c.column}:${c.type}`)).toEqual(
      b.columns.map((c) => `${c.table}.${c.column}:${c.type}`),
    );
    expect(a.indexes).toEqual(b.indexes);
    expect(a.columns.length).toBeGreaterThan(100);
  });
});
