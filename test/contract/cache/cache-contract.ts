import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthkeepError, ValidationError } from '../../../src/domain/errors.js';
import type { CacheStore } from '../../../src/ports/cache.js';

/** One CacheStore implementation the contract runs against. */
export interface CacheSubject {
  name: string;
  /** False when its service is missing (global setup already said so, loudly). */
  available(): boolean;
  /** Starts what the subject needs once per file (e.g. a Redis Cluster). */
  setup?(): Promise<void>;
  teardown?(): Promise<void>;
  /** A fresh store that sees no other test's keys (its own namespace on a shared server). */
  open(): Promise<CacheStore>;
}

export const uniqueNamespace = (label: string) => `test:${label}:${randomBytes(6).toString('hex')}:`;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `check` passes; expiry is awaited by observation, never by assuming a duration. */
export async function eventually(check: () => Promise<void>, limitMs = 15_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(20);
    }
  }
}

const SHORT_TTL = 40;
const LONG_TTL = 600_000;

/** Declares the CacheStore contract once; every adapter passes these same assertions. */
export function describeCacheContract(subject: CacheSubject): void {
  describe.skipIf(!subject.available())(`CacheStore contract [${subject.name}]`, () => {
    let cache: CacheStore;
    const stores: CacheStore[] = [];

    beforeAll(async () => {
      await subject.setup?.();
      cache = await subject.open();
      stores.push(cache);
    });

    afterAll(async () => {
      for (const store of stores) {
        await store.deletePrefix('').catch(() => undefined);
        await store.close().catch(() => undefined);
      }
      await subject.teardown?.();
    });

    /** Waits until a fresh short-TTL key has expired: anything set with that TTL earlier has expired too. */
    async function shortTtlElapsed(): Promise<void> {
      const marker = `marker:${randomBytes(4).toString('hex')}`;
      await cache.set(marker, 'x', SHORT_TTL);
      await eventually(async () => expect(await cache.get(marker)).toBeNull());
    }

    describe('get and set', () => {
      it('misses an unknown key', async () => {
        expect(await cache.get('never-set')).toBeNull();
      });

      it('reads back what was set, and the last write wins', async () => {
        await cache.set('greeting', 'hello');
        expect(await cache.get('greeting')).toBe('hello');
        await cache.set('greeting', 'bonjour');
        expect(await cache.get('greeting')).toBe('bonjour');
      });

      it('keeps empty, unicode and large values intact', async () => {
        const large = 'x'.repeat(200_000);
        await cache.set('empty', '');
        await cache.set('unicode', 'žluťoučký kůň 🐎 {"a":1}');
        await cache.set('large', large);
        expect(await cache.get('empty')).toBe('');
        expect(await cache.get('unicode')).toBe('žluťoučký kůň 🐎 {"a":1}');
        expect(await cache.get('large')).toBe(large);
      });

      it('treats keys with glob characters, spaces and hash tags as plain text', async () => {
        const keys = ['a*b', 'a?c', '[x]y', 'back\\slash', 'with space', '{user:1}:session', 'ключ'];
        for (const [index, key] of keys.entries()) await cache.set(key, String(index));
        for (const [index, key] of keys.entries()) expect(await cache.get(key)).toBe(String(index));
      });
    });

    describe('expiry', () => {
      it('keeps a long-TTL entry and drops a short-TTL one once it expires', async () => {
        await cache.set('long-lived', 'v', LONG_TTL);
        await cache.set('short-lived', 'v', SHORT_TTL);
        await eventually(async () => expect(await cache.get('short-lived')).toBeNull());
        expect(await cache.get('long-lived')).toBe('v');
      });

      it('never expires an entry set without a TTL or with TTL 0', async () => {
        await cache.set('forever-absent', 'a');
        await cache.set('forever-zero', 'b', 0);
        await shortTtlElapsed();
        expect(await cache.get('forever-absent')).toBe('a');
        expect(await cache.get('forever-zero')).toBe('b');
      });

      it('a plain set replaces the previous TTL, as SET does', async () => {
        await cache.set('re-set', 'first', SHORT_TTL);
        await cache.set('re-set', 'second');
        await shortTtlElapsed();
        expect(await cache.get('re-set')).toBe('second');
      });

      it('rejects a negative or non-finite TTL with a ValidationError, storing nothing', async () => {
        await expect(cache.set('bad-ttl', 'v', -1)).rejects.toBeInstanceOf(ValidationError);
        await expect(cache.set('bad-ttl', 'v', Number.NaN)).rejects.toBeInstanceOf(ValidationError);
        await expect(cache.setIfAbsent('bad-ttl', 'v', -5)).rejects.toBeInstanceOf(ValidationError);
        await expect(cache.update('bad-ttl', () => 'v', Infinity)).rejects.toBeInstanceOf(ValidationError);
        expect(await cache.get('bad-ttl')).toBeNull();
      });
    });

    describe('setIfAbsent', () => {
      it('stores only the first value', async () => {
        expect(await cache.setIfAbsent('nx', 'first', LONG_TTL)).toBe(true);
        expect(await cache.setIfAbsent('nx', 'second', LONG_TTL)).toBe(false);
        expect(await cache.get('nx')).toBe('first');
      });

      it('stores again once the key was deleted or expired', async () => {
        await cache.setIfAbsent('nx-again', 'a');
        await cache.delete('nx-again');
        expect(await cache.setIfAbsent('nx-again', 'b', SHORT_TTL)).toBe(true);
        await eventually(async () => expect(await cache.get('nx-again')).toBeNull());
        expect(await cache.setIfAbsent('nx-again', 'c')).toBe(true);
        expect(await cache.get('nx-again')).toBe('c');
      });

      it('lets exactly one of many concurrent callers win', async () => {
        const results = await Promise.all(
          Array.from({ length: 20 }, (_, index) => cache.setIfAbsent('nx-race', String(index), LONG_TTL)),
        );
        const winners = results.flatMap((won, index) => (won ? [String(index)] : []));
        expect(winners).toHaveLength(1);
        expect(await cache.get('nx-race')).toBe(winners[0]);
      });
    });

    describe('delete', () => {
      it('deletes many keys at once, spread over slots, ignoring missing ones', async () => {
        const keys = Array.from({ length: 60 }, (_, index) => `bulk:${index}`);
        for (const key of keys) await cache.set(key, 'v');
        await cache.set('bulk-survivor', 'v');
        await cache.delete(...keys, 'not-there');
        for (const key of keys) expect(await cache.get(key)).toBeNull();
        expect(await cache.get('bulk-survivor')).toBe('v');
      });

      it('does nothing when given no keys', async () => {
        await expect(cache.delete()).resolves.toBeUndefined();
      });
    });

    describe('take', () => {
      it('returns the value and removes it', async () => {
        await cache.set('once', 'ticket', LONG_TTL);
        expect(await cache.take('once')).toBe('ticket');
        expect(await cache.take('once')).toBeNull();
        expect(await cache.get('once')).toBeNull();
      });

      it('gives the value to exactly one of many concurrent takers', async () => {
        await cache.set('contended', 'prize');
        const results = await Promise.all(Array.from({ length: 25 }, () => cache.take('contended')));
        expect(results.filter((value) => value === 'prize')).toHaveLength(1);
        expect(results.filter((value) => value === null)).toHaveLength(24);
      });

      it('misses an expired entry', async () => {
        await cache.set('stale-ticket', 'v', SHORT_TTL);
        await eventually(async () => expect(await cache.get('stale-ticket')).toBeNull());
        expect(await cache.take('stale-ticket')).toBeNull();
      });
    });

    describe('deletePrefix', () => {
      it('deletes exactly the keys under the prefix and counts them', async () => {
        for (let index = 0; index < 250; index += 1) await cache.set(`tenant:a:${index}`, 'v');
        await cache.set('tenant:ab', 'v');
        await cache.set('tenant:b:1', 'v');
        expect(await cache.deletePrefix('tenant:a:')).toBe(250);
        expect(await cache.get('tenant:a:7')).toBeNull();
        expect(await cache.get('tenant:ab')).toBe('v');
        expect(await cache.get('tenant:b:1')).toBe('v');
        expect(await cache.deletePrefix('tenant:a:')).toBe(0);
      });

      it('reads glob characters in the prefix literally', async () => {
        await cache.set('glob*:1', 'v');
        await cache.set('globX:1', 'v');
        await cache.set('g?b:1', 'v');
        await cache.set('gab:1', 'v');
        await cache.set('[r]:1', 'v');
        await cache.set('r:1', 'v');
        expect(await cache.deletePrefix('glob*')).toBe(1);
        expect(await cache.deletePrefix('g?b')).toBe(1);
        expect(await cache.deletePrefix('[r]')).toBe(1);
        expect(await cache.get('globX:1')).toBe('v');
        expect(await cache.get('gab:1')).toBe('v');
        expect(await cache.get('r:1')).toBe('v');
      });

      it('with an empty prefix clears only this store', async () => {
        const other = await subject.open();
        stores.push(other);
        await cache.set('mine', 'v');
        await other.set('theirs', 'v');
        expect(await other.deletePrefix('')).toBeGreaterThanOrEqual(1);
        expect(await other.get('theirs')).toBeNull();
        expect(await cache.get('mine')).toBe('v');
      });
    });

    describe('update', () => {
      it('creates, modifies and deletes', async () => {
        const seen: (string | null)[] = [];
        const step = (next: string | null) => (current: string | null) => {
          seen.push(current);
          return next;
        };
        expect(await cache.update('counter-x', step('1'))).toBe('1');
        expect(await cache.update('counter-x', step('2'))).toBe('2');
        expect(await cache.get('counter-x')).toBe('2');
        expect(await cache.update('counter-x', step(null))).toBeNull();
        expect(await cache.get('counter-x')).toBeNull();
        expect(await cache.update('counter-x', step(null))).toBeNull();
        expect(seen).toEqual([null, '1', '2', null]);
      });

      it('applies every one of many concurrent read-modify-writes', async () => {
        const increment = (current: string | null) => String(Number(current ?? '0') + 1);
        const results = await Promise.all(
          Array.from({ length: 25 }, () => cache.update('counter-race', increment, LONG_TTL)),
        );
        expect(await cache.get('counter-race')).toBe('25');
        expect(results.map(Number).sort((a, b) => a - b)).toEqual(
          Array.from({ length: 25 }, (_, i) => i + 1),
        );
      });

      it('sets the TTL when given one', async () => {
        await cache.set('update-ttl', 'a');
        await cache.update('update-ttl', () => 'b', SHORT_TTL);
        await eventually(async () => expect(await cache.get('update-ttl')).toBeNull());
      });

      it('keeps the current expiry when given no TTL', async () => {
        await cache.set('update-keep', 'a', SHORT_TTL);
        await cache.update('update-keep', () => 'b');
        await eventually(async () => expect(await cache.get('update-keep')).toBeNull());
        await cache.set('update-persist', 'a');
        await cache.update('update-persist', () => 'b');
        await shortTtlElapsed();
        expect(await cache.get('update-persist')).toBe('b');
      });

      it('passes the callback error to the caller and changes nothing', async () => {
        await cache.set('update-throws', 'kept');
        await expect(
          cache.update('update-throws', () => {
            throw new Error('refused by caller');
          }),
        ).rejects.toThrow('refused by caller');
        expect(await cache.get('update-throws')).toBe('kept');
      });
    });

    describe('compareAndSet', () => {
      it('writes only over the expected value (null = absent) and reports whether it did', async () => {
        expect(await cache.compareAndSet('cas', 'x', 'y')).toBe(false);
        expect(await cache.get('cas')).toBeNull();
        expect(await cache.compareAndSet('cas', null, 'a', LONG_TTL)).toBe(true);
        expect(await cache.compareAndSet('cas', null, 'b')).toBe(false);
        expect(await cache.compareAndSet('cas', 'a', 'b', LONG_TTL)).toBe(true);
        expect(await cache.get('cas')).toBe('b');
        // next === expected is a pure check: true only while the value is still that.
        expect(await cache.compareAndSet('cas', 'b', 'b')).toBe(true);
        expect(await cache.compareAndSet('cas', 'a', 'a')).toBe(false);
        expect(await cache.compareAndSet('cas-none', null, null)).toBe(true);
        expect(await cache.compareAndSet('cas', 'b', null)).toBe(true);
        expect(await cache.get('cas')).toBeNull();
      });

      it('sets the TTL it is given', async () => {
        expect(await cache.compareAndSet('cas-ttl', null, 'a', SHORT_TTL)).toBe(true);
        await eventually(async () => expect(await cache.get('cas-ttl')).toBeNull());
      });

      it('lets exactly one of many concurrent writers over the same value win', async () => {
        await cache.set('cas-race', 'start');
        const wins = await Promise.all(
          Array.from({ length: 20 }, (_, i) => cache.compareAndSet('cas-race', 'start', `w${i}`)),
        );
        expect(wins.filter(Boolean)).toHaveLength(1);
      });
    });

    describe('close', () => {
      it('refuses work after close with a typed error', async () => {
        const closing = await subject.open();
        await closing.set('closing', 'v');
        await closing.deletePrefix('');
        await closing.close();
        await expect(closing.get('closing')).rejects.toBeInstanceOf(AuthkeepError);
      });
    });
  });
}
