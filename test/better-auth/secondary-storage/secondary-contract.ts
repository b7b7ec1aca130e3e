import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../../../src/domain/errors.js';
import type { SecondaryStore } from '../../../src/ports/secondary-store.js';
import {
  authkeepSecondaryStorage,
  type AuthkeepSecondaryStorage,
} from '../../../src/app/better-auth/secondary-storage.js';
import { testCacheSecret } from '../../support/cache-secret.js';

/**
 * A backend under the secondary-storage contract. `view()` is one more client of the same data: on Redis its
 * own connection (another process's view), in memory the same store. Facades over views stand for processes
 * (each remembers its own reads); values are written and read raw through a view to forge and move entries.
 */
export interface SecondaryBackend {
  name: string;
  available: () => boolean;
  /** A fresh, empty keyspace whose deletes keep tombstones `tombstoneMs`. */
  open(tombstoneMs: number): Promise<{ view(): SecondaryStore; cleanup(): Promise<void> }>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const sleepUntil = (at: number) => sleep(Math.max(0, at - Date.now()));

export function describeSecondaryContract(backend: SecondaryBackend): void {
  describe.skipIf(!backend.available())(`authkeepSecondaryStorage contract: ${backend.name}`, () => {
    let space: { view(): SecondaryStore; cleanup(): Promise<void> };
    const facades: AuthkeepSecondaryStorage[] = [];
    const views: SecondaryStore[] = [];

    /** A process's storage: its own client of the shared data and its own memory of what it read. */
    const processStorage = (secret = testCacheSecret): AuthkeepSecondaryStorage => {
      const view = space.view();
      views.push(view);
      const storage = authkeepSecondaryStorage({ cache: view, secret });
      facades.push(storage);
      return storage;
    };
    let keyCount = 0;
    const freshKey = (label: string) => `${label}-${(keyCount += 1)}`;

    beforeAll(async () => {
      space = await backend.open(60_000);
    });

    afterAll(async () => {
      for (const view of new Set(views)) await view.close();
      await space.cleanup();
    });

    it('get answers what set stored, null for a key never set; set replaces', async () => {
      const storage = processStorage();
      const key = freshKey('basic');
      expect(await storage.get(key)).toBeNull();
      await storage.set(key, '{"session":{"id":"s1"}}', 60);
      expect(await storage.get(key)).toBe('{"session":{"id":"s1"}}');
      await storage.set(key, 'second');
      expect(await storage.get(key)).toBe('second');
      await storage.set(key, '');
      expect(await storage.get(key)).toBe('');
    });

    it('another process reads what one wrote (same secret)', async () => {
      const [one, two] = [processStorage(), processStorage()];
      const key = freshKey('shared');
      await one.set(key, 'from one', 60);
      expect(await two.get(key)).toBe('from one');
    });

    it('a value set with a TTL of 1 s is there before and gone at 1 s; 1.5 s is honoured too', async () => {
      const storage = processStorage();
      const [short, longer] = [freshKey('ttl'), freshKey('ttl')];
      const before = Date.now();
      await Promise.all([storage.set(short, 'v', 1), storage.set(longer, 'w', 1.5)]);
      const stored = Date.now();
      const early = await storage.get(short);
      // Read less than 1 s after the set began, so before any expiry (a stalled loop proves nothing here).
      if (Date.now() - before < 1_000) expect(early).toBe('v');
      await sleepUntil(stored + 1_001);
      expect(await storage.get(short)).toBeNull();
      await sleepUntil(stored + 1_501);
      expect(await storage.get(longer)).toBeNull();
    });

    it('a value set without a TTL (or 0) does not expire on its own', async () => {
      const storage = processStorage();
      const [none, zero] = [freshKey('nottl'), freshKey('nottl')];
      await storage.set(none, 'kept');
      await storage.set(zero, 'kept', 0);
      const stored = Date.now();
      await sleepUntil(stored + 1_100);
      expect(await storage.get(none)).toBe('kept');
      expect(await storage.get(zero)).toBe('kept');
    });

    it('delete removes the value; deleting a missing key is fine', async () => {
      const storage = processStorage();
      const key = freshKey('delete');
      await storage.set(key, 'v', 60);
      await storage.delete(key);
      expect(await storage.get(key)).toBeNull();
      await storage.delete(freshKey('never-set'));
    });

    it('getAndDelete returns the value once, then null', async () => {
      const storage = processStorage();
      const key = freshKey('take');
      await storage.set(key, 'once', 60);
      expect(await storage.getAndDelete(key)).toBe('once');
      expect(await storage.getAndDelete(key)).toBeNull();
      expect(await storage.get(key)).toBeNull();
    });

    it('getAndDelete is atomic: of 24 concurrent callers in 4 processes exactly one receives the value', async () => {
      const processes = [processStorage(), processStorage(), processStorage(), processStorage()];
      for (let round = 0; round < 10; round += 1) {
        const key = freshKey('take-race');
        await processes[0]!.set(key, `token-${round}`, 60);
        const answers = await Promise.all(
          Array.from({ length: 24 }, (_, i) => processes[i % processes.length]!.getAndDelete(key)),
        );
        expect(answers.filter((answer) => answer !== null)).toEqual([`token-${round}`]);
      }
    });

    it('increment counts from 1; the TTL given at creation is kept, later TTLs never extend it', async () => {
      const storage = processStorage();
      const key = freshKey('counter');
      const before = Date.now();
      expect(await storage.increment(key, 1)).toBe(1);
      const created = Date.now();
      const second = await storage.increment(key, 60);
      await sleep(400);
      const third = await storage.increment(key, 60);
      // Counted within the first window unless the loop stalled past it (then nothing can be concluded).
      if (Date.now() - before < 1_000) expect([second, third]).toEqual([2, 3]);
      await sleepUntil(created + 1_001);
      // Past the first window (1 s): a new counter, although every later call asked for 60 s.
      expect(await storage.increment(key, 60)).toBe(1);
    });

    it('increment is atomic: 120 concurrent increments in 4 processes return exactly 1..120', async () => {
      const processes = [processStorage(), processStorage(), processStorage(), processStorage()];
      const key = freshKey('counter-race');
      const counts = await Promise.all(
        Array.from({ length: 120 }, (_, i) => processes[i % processes.length]!.increment(key, 60)),
      );
      expect([...counts].sort((a, b) => a - b)).toEqual(Array.from({ length: 120 }, (_, i) => i + 1));
    });

    it('counters are not values: get does not read them, delete resets them', async () => {
      const storage = processStorage();
      const key = freshKey('counter-space');
      await storage.increment(key, 60);
      await storage.increment(key, 60);
      expect(await storage.get(key)).toBeNull();
      await storage.delete(key);
      expect(await storage.increment(key, 60)).toBe(1);
    });

    it('a forged value (written without the secret) is a miss and is counted', async () => {
      const storage = processStorage();
      const raw = views.at(-1)!;
      const key = freshKey('forged');
      await raw.write(key, '{"session":{"userId":"victim"},"user":{"id":"victim"}}', 60_000);
      expect(await storage.get(key)).toBeNull();
      await raw.write(key, `a1.0.${'A'.repeat(43)}.{"session":{}}`, 60_000);
      expect(await storage.get(key)).toBeNull();
      expect(await storage.getAndDelete(key)).toBeNull();
      expect(storage.stats().forgedEntries).toBe(3);
    });

    it('a value moved to another key is a miss there, and still read where it was written', async () => {
      const storage = processStorage();
      const raw = views.at(-1)!;
      const [victim, attacker] = [freshKey('victim-token'), freshKey('attacker-token')];
      await storage.set(victim, '{"user":{"id":"victim"}}', 60);
      const sealed = (await raw.read(victim)).value!;
      await raw.write(attacker, sealed, 60_000);
      expect(await storage.get(attacker)).toBeNull();
      expect(await storage.get(victim)).toBe('{"user":{"id":"victim"}}');
    });

    it('a value written under another secret is a miss', async () => {
      const [ours, theirs] = [processStorage(), processStorage('another-secret-of-32-characters!!')];
      const key = freshKey('other-secret');
      await theirs.set(key, 'theirs', 60);
      expect(await ours.get(key)).toBeNull();
      expect(await theirs.get(key)).toBe('theirs');
    });

    describe('no resurrection: a set whose value was read before a delete never lands after it', () => {
      it('refresh after revoke: read, another process deletes, the stale set is refused', async () => {
        const [refresher, revoker] = [processStorage(), processStorage()];
        const key = freshKey('token');
        await refresher.set(key, 'session v1', 60);
        const read = await refresher.get(key);
        await revoker.delete(key);
        await refresher.set(key, `${read} refreshed`, 60);
        expect(await refresher.get(key)).toBeNull();
        expect(await revoker.get(key)).toBeNull();
        expect(refresher.stats().refusedWrites).toBe(1);
      });

      it('repopulate after a miss: read null, another process deletes, the fill is refused', async () => {
        const [filler, revoker] = [processStorage(), processStorage()];
        const key = freshKey('token');
        expect(await filler.get(key)).toBeNull(); // then a database read, during which…
        await revoker.delete(key); // …the session is revoked
        await filler.set(key, 'session from the database', 60);
        expect(await revoker.get(key)).toBeNull();
      });

      it('a take (consumed one-time value) is a delete too', async () => {
        const [updater, consumer] = [processStorage(), processStorage()];
        const key = freshKey('verification');
        await updater.set(key, 'otp:0', 60);
        await updater.get(key);
        expect(await consumer.getAndDelete(key)).toBe('otp:0');
        await updater.set(key, 'otp:0 extended', 60);
        expect(await consumer.get(key)).toBeNull();
      });

      it('a newer value written after the delete is not overwritten by the stale set', async () => {
        const [stale, revoker, creator] = [processStorage(), processStorage(), processStorage()];
        const key = freshKey('identifier');
        await stale.set(key, 'old code', 60);
        await stale.get(key);
        await revoker.delete(key);
        await creator.set(key, 'new code', 60); // never read it: a fresh value, allowed
        await stale.set(key, 'old code extended', 60);
        expect(await creator.get(key)).toBe('new code');
      });

      it("a process's own delete or take does not block its own next set (delete then recreate, restore)", async () => {
        const storage = processStorage();
        const [deleted, taken] = [freshKey('recreate'), freshKey('restore')];
        await storage.set(deleted, 'v1', 60);
        await storage.get(deleted);
        await storage.delete(deleted);
        await storage.set(deleted, 'v2', 60);
        expect(await storage.get(deleted)).toBe('v2');
        await storage.set(taken, 'otp:0', 60);
        await storage.get(taken);
        const consumed = await storage.getAndDelete(taken);
        await storage.set(taken, `${consumed}+1`, 60);
        expect(await storage.get(taken)).toBe('otp:0+1');
        expect(storage.stats().refusedWrites).toBe(0);
      });

      it('a process that read the key after the delete may set it again', async () => {
        const [writer, revoker] = [processStorage(), processStorage()];
        const key = freshKey('after');
        await writer.set(key, 'v1', 60);
        await revoker.delete(key);
        expect(await writer.get(key)).toBeNull();
        await writer.set(key, 'v2', 60);
        expect(await revoker.get(key)).toBe('v2');
      });

      it("better-auth's session index is never refused: its delete means empty, a sign-in's list must land", async () => {
        const [signingIn, signingOut] = [processStorage(), processStorage()];
        const key = `active-sessions-${freshKey('user')}`;
        await signingOut.set(key, '[{"token":"t1"}]', 60);
        await signingIn.get(key);
        await signingOut.delete(key); // the last session signed out
        await signingIn.set(key, '[{"token":"t1"},{"token":"t2"}]', 60);
        expect(await signingOut.get(key)).toBe('[{"token":"t1"},{"token":"t2"}]');
      });

      it('a real race: 8 processes set stale values concurrently with a delete; afterwards the key stays gone', async () => {
        const writers = Array.from({ length: 8 }, () => processStorage());
        const revoker = processStorage();
        for (let round = 0; round < 5; round += 1) {
          const key = freshKey('race');
          await revoker.set(key, 'session', 60);
          await Promise.all(writers.map((writer) => writer.get(key)));
          // The delete and the stale sets travel at once, over separate clients; any order may result.
          await Promise.all([
            revoker.delete(key),
            ...writers.map((writer, i) => writer.set(key, `stale ${i}`, 60)),
          ]);
          // Whatever landed before the delete was deleted; whatever came after was refused.
          expect(await revoker.get(key)).toBeNull();
          // And every later set of those stale reads is refused too.
          await Promise.all(writers.map((writer, i) => writer.set(key, `late ${i}`, 60)));
          expect(await revoker.get(key)).toBeNull();
        }
      });
    });

    it('bad input is a typed validation error, and nothing is written', async () => {
      const storage = processStorage();
      const key = freshKey('invalid');
      const attempts: (() => Promise<unknown>)[] = [
        () => storage.set(key, 'v', -1),
        () => storage.set(key, 'v', Number.NaN),
        () => storage.set(key, 'v', Number.POSITIVE_INFINITY),
        () => storage.set(key, 42 as unknown as string, 60),
        () => storage.set('', 'v', 60),
        () => storage.get(undefined as unknown as string),
        () => storage.increment(key, 0),
        () => storage.increment(key, -5),
      ];
      for (const attempt of attempts) {
        const error = await attempt().catch((caught: unknown) => caught);
        expect(error).toBeInstanceOf(ValidationError);
        expect((error as ValidationError).code).toBe('validation');
      }
      expect(await storage.get(key)).toBeNull();
      expect(await storage.increment(key, 60)).toBe(1);
    });

    it('methods work detached from the object (better-auth calls increment that way)', async () => {
      const { get, set, increment, getAndDelete } = processStorage();
      const key = freshKey('detached');
      await set(key, 'v', 60);
      expect(await get(key)).toBe('v');
      expect(await increment(freshKey('detached-counter'), 60)).toBe(1);
      expect(await getAndDelete(key)).toBe('v');
    });

    it('neither inspect nor JSON shows the secret', () => {
      const secret = 'a-distinctive-secret-never-printed-0123';
      const storage = processStorage(secret);
      expect(inspect(storage, { depth: 10, showHidden: true })).not.toContain(secret);
      expect(JSON.stringify(storage)).not.toContain(secret);
    });
  });
}

/** Tombstones end: a set whose read came before a delete is checked only while the delete's tombstone lives. */
export function describeTombstoneLifetime(backend: SecondaryBackend): void {
  describe.skipIf(!backend.available())(`authkeepSecondaryStorage tombstones: ${backend.name}`, () => {
    it('refused while the tombstone lives (1 s), accepted once it is gone', async () => {
      const space = await backend.open(1_000);
      const [view, other] = [space.view(), space.view()];
      try {
        const stale = authkeepSecondaryStorage({ cache: view, secret: testCacheSecret });
        const revoker = authkeepSecondaryStorage({ cache: other, secret: testCacheSecret });
        await stale.set('k', 'v1', 60);
        await stale.get('k');
        const deleting = Date.now();
        await revoker.delete('k');
        const deleted = Date.now();
        await stale.set('k', 'stale', 60);
        // Within the tombstone's second the stale set is refused (a loop stalled past it proves nothing).
        if (Date.now() - deleting < 1_000) expect(await revoker.get('k')).toBeNull();
        await sleepUntil(deleted + 1_001);
        await stale.set('k', 'late', 60);
        expect(await revoker.get('k')).toBe('late');
      } finally {
        await view.close();
        if (other !== view) await other.close();
        await space.cleanup();
      }
    });
  });
}
