import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AesGcmKeyring } from '../../../src/adapters/crypto/keyring/aes-gcm-keyring.js';
import { silentLogger } from '../../../src/adapters/log/pino-logger.js';
import { createKeyValueStore, type KeyValueStore } from '../../../src/app/keyvalue/index.js';
import { databaseUrl, dropSchema, freshSchemaName, withClient } from '../../support/postgres.js';
import { awaitLater } from '../../support/await-later.js';

const url = databaseUrl();

/** Fisher-Yates with Math.random: each writer offers its keys in another order. */
function shuffled<T>(items: T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

describe.skipIf(!url)('key-value store under concurrent calls [postgres]', () => {
  const schema = freshSchemaName('kv-concurrency');
  let store: KeyValueStore;
  const open = (table: string, pageSize = 1000) =>
    createKeyValueStore({
      database: url as string,
      // Lock waits count against the statement timeout; a loaded 2-core machine needs room.
      connection: { schema, max: 12, statementTimeoutMs: 60_000 },
      table,
      pageSize,
      logger: silentLogger,
    });

  beforeAll(async () => {
    store = open('shared', 5000);
    await store.start();
  });

  afterAll(async () => {
    await store?.close();
    await dropSchema(url as string, schema);
  });

  it('concurrent bulkPuts over the same keys in different orders all commit, and readers never see half of one', async () => {
    const keys = Array.from({ length: 1200 }, (_, i) => `item-${String(i).padStart(4, '0')}`);
    const writers = 8;
    const snapshots: Set<unknown>[] = [];
    let writing = true;
    const reader = awaitLater(
      (async () => {
        // One page (pageSize 5000) is one statement, so each read is one snapshot of the table.
        while (writing) snapshots.push(new Set(await store.values()));
      })(),
    );
    try {
      await Promise.all(
        Array.from({ length: writers }, (_, w) =>
          store.bulkPut(shuffled(keys).map((key) => [key, `writer-${w}`] as const)),
        ),
      );
    } finally {
      writing = false;
      await reader;
    }
    const final = await store.values();
    expect(final).toHaveLength(keys.length);
    expect(new Set(final).size).toBe(1);
    expect(snapshots.length).toBeGreaterThan(0);
    for (const snapshot of snapshots) expect(snapshot.size).toBeLessThanOrEqual(1);
  });

  it('many concurrent puts on one key leave exactly one of the written values', async () => {
    const values = Array.from({ length: 40 }, (_, i) => ({ writer: i }));
    await Promise.all(values.map((value) => store.put('contended', value)));
    expect(values).toContainEqual(await store.get('contended'));
    expect(await store.containsKey('contended')).toBe(true);
  });

  it('many stores creating the same table at once all succeed', async () => {
    const stores = Array.from({ length: 6 }, () => open('created_at_once'));
    await Promise.all(stores.map((s, i) => s.put(`k${i}`, i)));
    expect(await stores[0]!.size()).toBe(6);
    await Promise.all(stores.map((s) => s.close()));
  });

  it('bulkPut sends one INSERT statement per batch of 1000 rows', async () => {
    const counted = open('counted');
    await counted.start();
    await withClient(url as string, schema, async (client) => {
      await client.query('create table statement_count (n integer not null)');
      await client.query('insert into statement_count values (0)');
      await client.query(`create function count_statement() returns trigger language plpgsql as $$
        begin update statement_count set n = n + 1; return null; end $$`);
      await client.query(`create trigger count_inserts after insert on counted
        for each statement execute function count_statement()`);
    });
    const pairs: Record<string, number> = {};
    for (let i = 0; i < 2500; i++) pairs[`c${i}`] = i;
    await counted.bulkPut(pairs);
    await counted.put('single', 1);
    const n = await withClient(url as string, schema, async (client) => {
      const { rows } = await client.query<{ n: number }>('select n from statement_count');
      return rows[0]?.n;
    });
    expect(n).toBe(4);
    expect(await counted.size()).toBe(2501);
    await counted.close();
  });

  it('reencrypt() running beside writers never overwrites a newer value with an older one', async () => {
    const dbstoreKey = randomBytes(16).toString('hex');
    const legacy = createKeyValueStore({
      database: url as string,
      connection: { schema, max: 4 },
      table: 'reencrypt_race',
      encryptionKey: dbstoreKey,
      logger: silentLogger,
    });
    const keys = Array.from({ length: 600 }, (_, i) => `r${String(i).padStart(4, '0')}`);
    await legacy.bulkPut(keys.map((key) => [key, 'old'] as const));
    const current = createKeyValueStore({
      database: url as string,
      connection: { schema, max: 6, statementTimeoutMs: 60_000 },
      table: 'reencrypt_race',
      encryptionKey: dbstoreKey,
      keyring: new AesGcmKeyring({ keys: [{ id: 'k1', key: randomBytes(32) }] }),
      logger: silentLogger,
    });
    const updated = shuffled(keys).slice(0, 200);
    const [report] = await Promise.all([
      current.reencrypt({ batchSize: 50 }),
      (async () => {
        for (const key of updated) await current.put(key, 'new');
      })(),
    ]);
    expect(report.failed).toBe(0);
    expect(report.rewritten + report.conflicts + report.current).toBe(600);
    const object = await current.toObject();
    for (const key of keys) expect(object[key]).toBe(updated.includes(key) ? 'new' : 'old');
    await current.reencrypt();
    expect((await current.reencrypt()).current).toBe(600);
    await Promise.all([legacy.close(), current.close()]);
  });
});
