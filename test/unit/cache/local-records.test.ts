import { describe, expect, it } from 'vitest';
import { LocalRecords } from '../../../src/app/cache/local-records.js';
import { copyMeasured, copyRecord } from '../../../src/app/cache/record-copy.js';
import type { RecordCodec } from '../../../src/app/cache/cache-codec.js';
import { awaitLater } from '../../support/await-later.js';

interface Row {
  id: string;
  owner: string;
  version: number;
  tags?: string[];
  meta?: Record<string, unknown>;
  expiresAt?: Date;
}

const codec: RecordCodec<Row> = { dateFields: ['expiresAt'] };
const facts = (row: Row) => ({ owner: row.owner, expiresAt: row.expiresAt });

/** A clock the test moves by hand: expiry is checked against it, never against real time. */
function manualClock(start = Date.UTC(2026, 0, 1)) {
  let now = start;
  return { now: () => new Date(now), advance: (ms: number) => (now += ms) };
}

function counting(rows: Map<string, Row>) {
  let loads = 0;
  return {
    get loads() {
      return loads;
    },
    load: (id: string) => async () => {
      loads += 1;
      const row = rows.get(id);
      return row ? copyRecord(row) : null;
    },
  };
}

describe('LocalRecords (the in-process tier)', () => {
  it('serves a copy: what one caller mutates, the next does not see', async () => {
    const records = new LocalRecords(manualClock());
    const db = counting(
      new Map([['a', { id: 'a', owner: 'u', version: 1, tags: ['x'], meta: { n: { deep: 1 } } }]]),
    );
    const loaded = await records.read('a', codec, db.load('a'), facts);
    loaded!.tags!.push('mutated-after-fill');
    const hit = await records.read('a', codec, db.load('a'), facts);
    hit!.version = 99;
    (hit!.meta!.n as { deep: number }).deep = 2;
    expect(await records.read('a', codec, db.load('a'), facts)).toEqual({
      id: 'a',
      owner: 'u',
      version: 1,
      tags: ['x'],
      meta: { n: { deep: 1 } },
    });
    expect(db.loads).toBe(1);
  });

  it('refuses a fill whose key was invalidated while it loaded, however late it lands', async () => {
    const records = new LocalRecords(manualClock());
    let release!: (row: Row) => void;
    const old = awaitLater(
      records.read('r', codec, () => new Promise<Row>((resolve) => (release = resolve)), facts),
    );
    await records.invalidate('r');
    const db = counting(new Map([['r', { id: 'r', owner: 'u', version: 2 }]]));
    expect((await records.read('r', codec, db.load('r'), facts))?.version).toBe(2);
    release({ id: 'r', owner: 'u', version: 1 });
    expect((await old)?.version).toBe(1);
    expect((await records.read('r', codec, db.load('r'), facts))?.version).toBe(2);
    expect(db.loads).toBe(1);
  });

  it('clear() drops entries and in-flight reservations alike', async () => {
    const records = new LocalRecords(manualClock());
    let release!: (row: Row) => void;
    const pending = awaitLater(
      records.read('p', codec, () => new Promise<Row>((resolve) => (release = resolve)), facts),
    );
    records.clear();
    release({ id: 'p', owner: 'u', version: 1 });
    await pending;
    expect(records.stats().entries).toBe(0);
  });

  it('caches a miss for negativeTtlMs, and forget() clears it', async () => {
    const clock = manualClock();
    const records = new LocalRecords(clock, { negativeTtlMs: 2_000 });
    const rows = new Map<string, Row>();
    const db = counting(rows);
    expect(await records.read('n', codec, db.load('n'), facts)).toBeNull();
    rows.set('n', { id: 'n', owner: 'u', version: 1 });
    expect(await records.read('n', codec, db.load('n'), facts)).toBeNull();
    clock.advance(2_001);
    expect(await records.read('n', codec, db.load('n'), facts)).not.toBeNull();
    rows.set('m', { id: 'm', owner: 'u', version: 1 });
    expect(await records.read('m', codec, async () => null, facts)).toBeNull();
    await records.forget('m');
    expect(await records.read('m', codec, db.load('m'), facts)).not.toBeNull();
  });

  it('never serves a record past a second before its own expiry, nor past maxTtlMs', async () => {
    const clock = manualClock();
    const records = new LocalRecords(clock, { maxTtlMs: 60_000 });
    const expiresAt = new Date(clock.now().getTime() + 10_000);
    const db = counting(
      new Map([
        ['short', { id: 'short', owner: 'u', version: 1, expiresAt }],
        ['long', { id: 'long', owner: 'u', version: 1 }],
      ]),
    );
    await records.read('short', codec, db.load('short'), facts);
    await records.read('long', codec, db.load('long'), facts);
    clock.advance(9_000);
    await records.read('short', codec, db.load('short'), facts);
    expect(db.loads).toBe(3);
    clock.advance(51_000);
    await records.read('long', codec, db.load('long'), facts);
    expect(db.loads).toBe(4);
  });

  it('sweeps expired slots in the background pass, freeing their bytes', async () => {
    const clock = manualClock();
    const records = new LocalRecords(clock, { maxTtlMs: 60_000, sweepIntervalMs: 0 });
    const db = counting(new Map([['a', { id: 'a', owner: 'u', version: 1 }]]));
    await records.read('a', codec, db.load('a'), facts);
    await records.read('gone', codec, db.load('gone'), facts); // a negative entry, 2 s
    expect(records.stats().entries).toBe(2);
    clock.advance(2_001);
    expect(records.sweepExpired()).toBe(1);
    clock.advance(60_000);
    expect(records.sweepExpired()).toBe(1);
    expect(records.stats()).toEqual({ entries: 0, bytes: 0 });
    records.close();
  });

  it('is bounded by entries and by bytes, the least recently used going first', async () => {
    const records = new LocalRecords(manualClock(), { maxEntries: 3 });
    const rows = new Map(['a', 'b', 'c', 'd'].map((id) => [id, { id, owner: 'u', version: 1 }]));
    const db = counting(rows);
    for (const id of ['a', 'b', 'c']) await records.read(id, codec, db.load(id), facts);
    await records.read('a', codec, db.load('a'), facts); // a is now the most recent
    await records.read('d', codec, db.load('d'), facts); // evicts b
    expect(records.stats().entries).toBe(3);
    const before = db.loads;
    await records.read('a', codec, db.load('a'), facts);
    await records.read('b', codec, db.load('b'), facts);
    expect(db.loads).toBe(before + 1);

    const small = new LocalRecords(manualClock(), { maxBytes: 4_096 });
    const big = new Map([['big', { id: 'big', owner: 'u', version: 1, tags: ['x'.repeat(4_000)] }]]);
    const bigDb = counting(big);
    await small.read('big', codec, bigDb.load('big'), facts);
    await small.read('big', codec, bigDb.load('big'), facts);
    expect(bigDb.loads).toBe(2);
    expect(small.stats().bytes).toBeLessThanOrEqual(4_096);
  });

  it('keeps a slot that is read while many others come and go (a hit moves it at most every maxEntries/4 inserts)', async () => {
    const records = new LocalRecords(manualClock(), { maxEntries: 8 });
    const ids = ['hot', ...Array.from({ length: 64 }, (_, i) => `cold${i}`)];
    const db = counting(new Map(ids.map((id) => [id, { id, owner: 'u', version: 1 }])));
    await records.read('hot', codec, db.load('hot'), facts);
    for (const id of ids.slice(1)) {
      await records.read(id, codec, db.load(id), facts);
      await records.read('hot', codec, db.load('hot'), facts);
    }
    expect(db.loads).toBe(65); // 'hot' once, each cold slot once
    expect(records.stats().entries).toBe(8);
  });
});

describe('copyRecord', () => {
  it('copies JSON values, Dates and byte arrays deeply, keeping "__proto__" an own key', () => {
    const source = JSON.parse('{"a":[1,{"b":2}],"__proto__":{"polluted":true}}') as Record<string, unknown>;
    Object.assign(source, { at: new Date(5), bytes: new Uint8Array([1, 2]) });
    const copy = copyRecord(source);
    expect(copy).toEqual(source);
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(Object.keys(copy)).toContain('__proto__');
    expect(copy.at).not.toBe(source.at);
    expect(copy.bytes).not.toBe(source.bytes);
    expect((copy.a as unknown[])[1]).not.toBe((source.a as unknown[])[1]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('copyMeasured', () => {
  it('copies like copyRecord and counts strings, numbers, dates and bytes as it walks', () => {
    const source = { id: 'abcd', n: 1, at: new Date(5), bytes: new Uint8Array(10), list: ['xy'] };
    const { copy, bytes } = copyMeasured(source);
    expect(copy).toEqual(source);
    expect(copy.at).not.toBe(source.at);
    expect(copy.list).not.toBe(source.list);
    // keys: id n at bytes list = 2+1+2+5+4 = 14 chars; values: 'abcd' 4 chars, 1 → 8, date → 8, 10 bytes, 'xy' 2 chars
    expect(bytes).toBe(14 * 2 + 4 * 2 + 8 + 8 + 10 + 2 * 2);
  });
});
