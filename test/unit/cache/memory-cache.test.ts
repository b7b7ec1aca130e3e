import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { MemoryCache } from '../../../src/adapters/cache/memory/memory-cache.js';
import { ConfigError } from '../../../src/domain/errors.js';

/** A clock the test moves by hand, so expiry is exact and nothing waits. */
function manualClock(start = Date.UTC(2030, 0, 1)) {
  let now = start;
  return { now: () => new Date(now), advance: (ms: number) => (now += ms) };
}

const timeoutHandles = () => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;

describe('MemoryCache bounds', () => {
  it('evicts the least recently used entry past maxEntries; a read counts as use', async () => {
    const cache = new MemoryCache({ maxEntries: 3, sweepIntervalMs: 0 });
    await cache.set('a', '1');
    await cache.set('b', '2');
    await cache.set('c', '3');
    expect(await cache.get('a')).toBe('1');
    await cache.set('d', '4');
    expect(await cache.get('b')).toBeNull();
    expect(await cache.get('a')).toBe('1');
    expect(await cache.get('c')).toBe('3');
    expect(await cache.get('d')).toBe('4');
    expect(cache.stats().entries).toBe(3);
    await cache.close();
  });

  it('evicts by bytes, oldest first, and accounts bytes exactly back to zero', async () => {
    const cache = new MemoryCache({ maxBytes: 10_000, sweepIntervalMs: 0 });
    for (let index = 0; index < 10; index += 1) await cache.set(`k${index}`, 'x'.repeat(1_000));
    const { entries, bytes } = cache.stats();
    expect(bytes).toBeLessThanOrEqual(10_000);
    expect(entries).toBeLessThan(10);
    expect(await cache.get('k9')).not.toBeNull();
    expect(await cache.get('k0')).toBeNull();
    await cache.deletePrefix('');
    expect(cache.stats()).toEqual({ entries: 0, bytes: 0 });
    await cache.close();
  });

  it('refuses a value bigger than the whole budget and drops the old value of that key', async () => {
    const cache = new MemoryCache({ maxBytes: 1_000, sweepIntervalMs: 0 });
    await cache.set('big', 'small');
    await cache.set('big', 'x'.repeat(2_000));
    expect(await cache.get('big')).toBeNull();
    await cache.close();
  });

  it('rejects nonsense bounds', () => {
    expect(() => new MemoryCache({ maxEntries: 0 })).toThrow(ConfigError);
    expect(() => new MemoryCache({ maxBytes: -1 })).toThrow(ConfigError);
  });
});

describe('MemoryCache expiry', () => {
  it('expires by the clock it is given', async () => {
    const clock = manualClock();
    const cache = new MemoryCache({ clock, sweepIntervalMs: 0 });
    await cache.set('k', 'v', 1_000);
    clock.advance(999);
    expect(await cache.get('k')).toBe('v');
    clock.advance(1);
    expect(await cache.get('k')).toBeNull();
    await cache.close();
  });

  it('sweeps expired entries that nobody reads, freeing their bytes', async () => {
    const clock = manualClock();
    const cache = new MemoryCache({ clock, sweepIntervalMs: 0 });
    for (let index = 0; index < 100; index += 1) await cache.set(`short${index}`, 'v', 1_000);
    await cache.set('kept', 'v', 5_000);
    await cache.set('forever', 'v');
    clock.advance(2_000);
    expect(cache.stats().entries).toBe(102);
    expect(cache.sweepExpired()).toBe(100);
    expect(cache.stats().entries).toBe(2);
    await cache.close();
  });

  it('runs the sweep in the background on a timer', async () => {
    const clock = manualClock();
    const cache = new MemoryCache({ clock, sweepIntervalMs: 5 });
    await cache.set('gone', 'v', 10);
    clock.advance(20);
    // Observed, not timed: the entry leaves without any read once the timer has fired.
    for (let tries = 0; tries < 2_000 && cache.stats().entries > 0; tries += 1) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(cache.stats().entries).toBe(0);
    await cache.close();
  });
});

describe('MemoryCache lifecycle', () => {
  it('keeps its sweep timer unref’d and removes it on close', async () => {
    const before = timeoutHandles();
    const caches = Array.from({ length: 20 }, () => new MemoryCache({ sweepIntervalMs: 60_000 }));
    // Unref'd timers do not hold the event loop, so they are not counted as active.
    expect(timeoutHandles()).toBe(before);
    const timer = (caches[0] as unknown as { sweepTimer: NodeJS.Timeout }).sweepTimer;
    expect(timer.hasRef()).toBe(false);
    // Ref one on purpose so it becomes visible, then see close() clear it.
    timer.ref();
    expect(timeoutHandles()).toBe(before + 1);
    await Promise.all(caches.map((cache) => cache.close()));
    expect(timeoutHandles()).toBe(before);
  });

  it('is garbage-collected after close (no leak through the timer)', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const refs: WeakRef<MemoryCache>[] = [];
    await (async () => {
      for (let index = 0; index < 5; index += 1) {
        const cache = new MemoryCache({ sweepIntervalMs: 1_000 });
        await cache.set('payload', 'x'.repeat(100_000));
        await cache.close();
        refs.push(new WeakRef(cache));
      }
    })();
    for (let round = 0; round < 10 && refs.some((ref) => ref.deref()); round += 1) {
      await new Promise((resolve) => setImmediate(resolve));
      gc();
    }
    expect(refs.filter((ref) => ref.deref() !== undefined)).toHaveLength(0);
  });

  it('refuses work after close', async () => {
    const cache = new MemoryCache();
    await cache.set('k', 'v');
    await cache.close();
    expect(cache.stats()).toEqual({ entries: 0, bytes: 0 });
    await expect(cache.get('k')).rejects.toMatchObject({ code: 'unavailable' });
  });
});
