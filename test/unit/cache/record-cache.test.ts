import { describe, expect, it } from 'vitest';
import { MemoryCache } from '../../../src/adapters/cache/memory-cache.js';
import { cacheKeys, CACHE_FORMAT_VERSION, type RecordCodec } from '../../../src/app/cache/cache-codec.js';
import { RecordCache } from '../../../src/app/cache/record-cache.js';
import { awaitLater } from '../../support/await-later.js';

interface Row {
  id: string;
  owner: string;
  version: number;
  expiresAt?: Date;
}

const codec: RecordCodec<Row> = { dateFields: ['expiresAt'] };
const clock = { now: () => new Date() };
const facts = (row: Row) => ({ owner: row.owner, expiresAt: row.expiresAt });

/** A database of one table that counts its reads, so a test can tell a cache hit from a load. */
function table(initial: Row[]) {
  const rows = new Map(initial.map((row) => [row.id, row]));
  let loads = 0;
  return {
    rows,
    get loads() {
      return loads;
    },
    load: (id: string) => async () => {
      loads += 1;
      return rows.get(id) ?? null;
    },
  };
}

/** A load that waits until the test lets it finish: the window in which a write can slip in. */
function heldLoad<T>(value: T) {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  return { release, load: async () => (await gate, value) };
}

function setup(settings = {}) {
  const store = new MemoryCache({ sweepIntervalMs: 0 });
  return { store, cache: new RecordCache(store, clock, { negativeTtlMs: 60_000, ...settings }) };
}

describe('RecordCache read-through', () => {
  it('loads once, then serves from the cache, dates intact', async () => {
    const { cache } = setup();
    const expiresAt = new Date(Date.now() + 3_600_000);
    const db = table([{ id: 'a', owner: 'u', version: 1, expiresAt }]);
    const key = 'kc:s:a';
    expect(await cache.read(key, codec, db.load('a'), facts)).toEqual(db.rows.get('a'));
    const hit = await cache.read(key, codec, db.load('a'), facts);
    expect(hit).toEqual({ id: 'a', owner: 'u', version: 1, expiresAt });
    expect(hit?.expiresAt).toBeInstanceOf(Date);
    expect(db.loads).toBe(1);
  });

  it('caches a miss, and forget() clears it', async () => {
    const { cache } = setup();
    const db = table([]);
    expect(await cache.read('kc:s:n', codec, db.load('n'), facts)).toBeNull();
    db.rows.set('n', { id: 'n', owner: 'u', version: 1 });
    expect(await cache.read('kc:s:n', codec, db.load('n'), facts)).toBeNull();
    expect(db.loads).toBe(1);
    await cache.forget('kc:s:n');
    expect(await cache.read('kc:s:n', codec, db.load('n'), facts)).toEqual(db.rows.get('n'));
  });

  it('does not cache a record that expires within a second', async () => {
    const { cache, store } = setup();
    const db = table([{ id: 'x', owner: 'u', version: 1, expiresAt: new Date(Date.now() + 500) }]);
    await cache.read('kc:s:x', codec, db.load('x'), facts);
    expect(await store.get('kc:s:x')).toBeNull();
  });

  it('ignores an entry written by another format version', async () => {
    const { cache, store } = setup();
    const db = table([{ id: 'v', owner: 'u', version: 1 }]);
    await store.set(
      'kc:s:v',
      JSON.stringify({ v: CACHE_FORMAT_VERSION + 1, t: 'rec', d: { id: 'v', version: 99 } }),
    );
    expect(await cache.read('kc:s:v', codec, db.load('v'), facts)).toEqual({
      id: 'v',
      owner: 'u',
      version: 1,
    });
    await store.set('kc:s:v', 'not json at all');
    expect((await cache.read('kc:s:v', codec, db.load('v'), facts))?.version).toBe(1);
  });
});

describe('RecordCache races', () => {
  it('a reader holding an old row cannot cache it after an update invalidated the key', async () => {
    const { cache } = setup();
    const old: Row = { id: 'r', owner: 'u', version: 1 };
    const held = heldLoad(old);
    const reading = awaitLater(cache.read('kc:s:r', codec, held.load, facts));
    // The write lands and invalidates while the read is still in the database.
    await cache.invalidate('kc:s:r');
    held.release();
    expect(await reading).toEqual(old);
    const db = table([{ id: 'r', owner: 'u', version: 2 }]);
    expect((await cache.read('kc:s:r', codec, db.load('r'), facts))?.version).toBe(2);
  });

  it('a fill racing with its owner’s revocation gives up', async () => {
    const { cache, store } = setup();
    const held = heldLoad<Row>({ id: 'q', owner: 'gone', version: 1 });
    const reading = awaitLater(cache.read('kc:s:q', codec, held.load, facts));
    await cache.revokeOwner('gone');
    held.release();
    await reading;
    expect(await store.get('kc:s:q')).toBeNull();
  });

  it('revoking an owner drops every entry listed in its index, and only those', async () => {
    const { cache, store } = setup();
    const db = table([
      { id: '1', owner: 'u', version: 1 },
      { id: '2', owner: 'u', version: 1 },
      { id: '3', owner: 'other', version: 1 },
    ]);
    for (const id of ['1', '2', '3']) await cache.read(`kc:k:${id}`, codec, db.load(id), facts);
    expect(JSON.parse((await store.get(cacheKeys.owner('u')))!).e).toHaveLength(2);
    await cache.revokeOwner('u');
    const before = db.loads;
    expect(await cache.read('kc:k:1', codec, db.load('1'), facts)).not.toBeNull();
    expect(await cache.read('kc:k:2', codec, db.load('2'), facts)).not.toBeNull();
    expect(db.loads).toBe(before + 2);
    await cache.read('kc:k:3', codec, db.load('3'), facts);
    expect(db.loads).toBe(before + 2);
  });

  it('a database read slower than the fill window is not cached', async () => {
    const { cache, store } = setup({ fillWindowMs: 1 });
    const slow = async () => {
      await new Promise((resolve) => setTimeout(resolve, 30));
      return { id: 's', owner: 'u', version: 1 };
    };
    await cache.read('kc:s:s', codec, slow, facts);
    expect(await store.get('kc:s:s')).toBeNull();
  });

  it('stops caching an owner whose index is full', async () => {
    const { cache, store } = setup({ maxIndexEntries: 2 });
    const db = table(['a', 'b', 'c'].map((id) => ({ id, owner: 'busy', version: 1 })));
    for (const id of ['a', 'b', 'c']) await cache.read(`kc:k:${id}`, codec, db.load(id), facts);
    expect(await store.get('kc:k:a')).not.toBeNull();
    expect(await store.get('kc:k:c')).toBeNull();
  });
});
