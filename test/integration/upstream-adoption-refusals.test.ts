import { afterAll, describe, expect, it } from 'vitest';
import { PostgresStorageAdapter, silentLogger } from '../../src/index.js';
import { UPSTREAM_TIME_ZONE_ENV, upstreamTimeZone } from '../../migrations/upstream/time-zones.js';
import { databaseUrl, dropSchema, freshSchemaName, withClient } from '../support/postgres.js';
import { createUpstreamDatabase, inTimeZone } from '../fixtures/upstream-database.js';
import { rowsSnapshot, schemaSnapshot } from '../fixtures/upstream-snapshot.js';

const url = databaseUrl();

describe('the upstream time zone option', () => {
  it('defaults to the environment variable, then to this process’s zone', async () => {
    expect(upstreamTimeZone('America/New_York', { [UPSTREAM_TIME_ZONE_ENV]: 'Asia/Tokyo' })).toBe(
      'America/New_York',
    );
    expect(upstreamTimeZone(undefined, { [UPSTREAM_TIME_ZONE_ENV]: 'Asia/Tokyo' })).toBe('Asia/Tokyo');
    const own = await inTimeZone('Pacific/Chatham', async () => upstreamTimeZone(undefined, {}));
    expect(own).toBe('Pacific/Chatham');
  });

  it('refuses what is not an IANA zone, as a config error', () => {
    for (const bad of ['Mars/Olympus', "UTC'; drop table users; --", '+05:30', '']) {
      expect(() => upstreamTimeZone(bad, {})).toThrow(expect.objectContaining({ code: 'config' }));
    }
    expect(
      () => new PostgresStorageAdapter('postgres://localhost/x', { upstreamTimeZone: 'Nowhere/City' }),
    ).toThrow(expect.objectContaining({ code: 'config' }));
  });
});

/** Upstream-looking databases that differ in a way authkeep cannot convert safely. */
const BROKEN: { label: string; change: string; problem: RegExp }[] = [
  {
    label: 'an sso_providers.config column (never upstream’s)',
    change: `alter table sso_providers add column config jsonb default '{}'`,
    problem: /sso_providers\.config is not an upstream column/,
  },
  {
    label: 'a provider type authkeep has no record for',
    change: `update sso_providers set type = 'oauth' where type = 'saml'`,
    problem: /1 of type "oauth"/,
  },
  {
    label: 'a missing column',
    change: 'alter table users drop column oauth',
    problem: /users\.oauth is missing/,
  },
  {
    label: 'a column of another type',
    change: 'alter table sessions alter column expires_at type text',
    problem: /sessions\.expires_at is text, upstream declares timestamp without time zone/,
  },
  {
    label: 'a view of the owner’s over an upstream table',
    change: 'create view active_users as select id, email from users',
    problem: /view [a-z0-9_]+\.active_users reads upstream's tables/,
  },
  {
    label: 'a foreign key to upstream’s assignment ids',
    change: 'create table grants (assignment_id varchar(255) references user_roles(id))',
    problem: /foreign key grants\.grants_assignment_id_fkey references user_roles\.id/,
  },
  {
    label: 'a missing table',
    change: 'drop table twofa_sessions',
    problem: /table twofa_sessions is missing/,
  },
];

describe.skipIf(!url).each(BROKEN)('refusing an upstream database with $label', ({ change, problem }) => {
  const schema = freshSchemaName('adoptrefuse');

  afterAll(async () => {
    await dropSchema(url!, schema);
  });

  it('is a config error naming the problem, and the database is left as it was', async () => {
    await createUpstreamDatabase(url!, schema, { generation: '3.1', writerZone: 'America/New_York' });
    await withClient(url!, schema, (c) => c.query(change));
    const [schemaBefore, rowsBefore] = [await schemaSnapshot(url!, schema), await rowsSnapshot(url!, schema)];
    const adapter = new PostgresStorageAdapter(url!, {
      schema,
      logger: silentLogger,
      upstreamTimeZone: 'UTC',
    });
    try {
      const refused = adapter.connect();
      await expect(refused).rejects.toMatchObject({ code: 'config' });
      await expect(refused).rejects.toThrow(problem);
    } finally {
      await adapter.disconnect();
    }
    expect(await schemaSnapshot(url!, schema)).toEqual(schemaBefore);
    expect(await rowsSnapshot(url!, schema)).toBe(rowsBefore);
  });
});

describe.skipIf(!url)('refusing a zone PostgreSQL does not know, or a bad environment variable', () => {
  const schema = freshSchemaName('adoptbadzone');

  afterAll(async () => {
    await dropSchema(url!, schema);
  });

  it('is a config error and changes nothing', async () => {
    await createUpstreamDatabase(url!, schema, { generation: '3.0', writerZone: 'UTC' });
    const previous = process.env[UPSTREAM_TIME_ZONE_ENV];
    process.env[UPSTREAM_TIME_ZONE_ENV] = 'Not a zone';
    // A config error before anything is written: at construction (the variable is read there) or at connect().
    const attempt = async () => {
      const adapter = new PostgresStorageAdapter(url!, { schema, logger: silentLogger });
      try {
        await adapter.connect();
      } finally {
        await adapter.disconnect();
      }
    };
    try {
      await expect(attempt()).rejects.toMatchObject({ code: 'config' });
    } finally {
      if (previous === undefined) delete process.env[UPSTREAM_TIME_ZONE_ENV];
      else process.env[UPSTREAM_TIME_ZONE_ENV] = previous;
    }
    const tables = await withClient(
      url!,
      schema,
      async (c) =>
        (await c.query(`select table_name from information_schema.tables where table_schema = $1`, [schema]))
          .rows.length,
    );
    expect(tables).toBe(15);
  });
});
