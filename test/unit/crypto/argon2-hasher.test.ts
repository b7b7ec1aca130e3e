import { argon2i, hash as rawArgon2 } from 'argon2';
import { describe, expect, it } from 'vitest';
import { Argon2Hasher, OWASP_ARGON2ID } from '../../../src/adapters/crypto/hashing/argon2-hasher.js';
import { ConfigError, ValidationError } from '../../../src/domain/errors.js';

const hasher = new Argon2Hasher();

describe('Argon2Hasher', () => {
  it('hashes with argon2id at the OWASP parameters by default', async () => {
    expect(hasher.parameters).toEqual({ memoryCost: 19456, timeCost: 2, parallelism: 1 });
    expect(OWASP_ARGON2ID).toEqual(hasher.parameters);
    const hash = await hasher.hash('correct horse battery staple');
    expect(hash).toMatch(/^\$argon2id\$v=19\$/);
    expect(hash).toContain('m=19456');
    expect(hash).toContain('t=2');
    expect(hash).toContain('p=1');
    expect(hash).not.toContain('correct horse');
  });

  it('verifies the right secret only, with a fresh salt per hash', async () => {
    const [a, b] = await Promise.all([hasher.hash('pässwörd ✓'), hasher.hash('pässwörd ✓')]);
    expect(a).not.toBe(b);
    expect(await hasher.verify(a, 'pässwörd ✓')).toEqual({ valid: true, needsRehash: false });
    expect(await hasher.verify(b, 'pässwörd ✓')).toEqual({ valid: true, needsRehash: false });
    expect(await hasher.verify(a, 'passwörd ✓')).toEqual({ valid: false, needsRehash: false });
    expect(await hasher.verify(a, 'pässwörd ✓ ')).toEqual({ valid: false, needsRehash: false });
  });

  it('accepts hashes made with weaker parameters and asks for a rehash', async () => {
    const weaker = await new Argon2Hasher({ memoryCost: 4096, timeCost: 1 }).hash('backup-code-1');
    expect(await hasher.verify(weaker, 'backup-code-1')).toEqual({ valid: true, needsRehash: true });
    expect(await hasher.verify(weaker, 'backup-code-2')).toEqual({ valid: false, needsRehash: false });
    const fewerPasses = await new Argon2Hasher({ timeCost: 1 }).hash('x1');
    expect(await hasher.verify(fewerPasses, 'x1')).toEqual({ valid: true, needsRehash: true });
    const lessMemory = await new Argon2Hasher({ memoryCost: 19455 }).hash('x2');
    expect(await hasher.verify(lessMemory, 'x2')).toEqual({ valid: true, needsRehash: true });
  });

  it('accepts stronger hashes (within the budget) and asks for a rehash down to the configuration', async () => {
    const stronger = await new Argon2Hasher({ memoryCost: 32768, timeCost: 3 }).hash('s3cret');
    expect(await hasher.verify(stronger, 's3cret')).toEqual({ valid: true, needsRehash: true });
    expect(hasher.needsRehash(stronger)).toBe(true);
    // The other way round: a hasher configured stronger upgrades today's default hashes.
    const today = await hasher.hash('s3cret');
    const upgraded = new Argon2Hasher({ memoryCost: 32768 });
    expect(await upgraded.verify(today, 's3cret')).toEqual({ valid: true, needsRehash: true });
    expect(upgraded.needsRehash(today)).toBe(true);
    expect(hasher.needsRehash(today)).toBe(false);
  });

  it('accepts argon2i hashes and PHC parameters in any order, and upgrades argon2i', async () => {
    const legacy = await rawArgon2('old', { type: argon2i, memoryCost: 19456, timeCost: 2, parallelism: 1 });
    expect(legacy).toMatch(/^\$argon2i\$/);
    expect(await hasher.verify(legacy, 'old')).toEqual({ valid: true, needsRehash: true });
    const today = await hasher.hash('order');
    const reordered = today.replace(/m=(\d+),p=(\d+),t=(\d+)/, 'm=$1,t=$3,p=$2');
    expect(reordered).not.toBe(today);
    expect(await hasher.verify(reordered, 'order')).toEqual({ valid: true, needsRehash: false });
  });

  it('is configurable', async () => {
    const custom = new Argon2Hasher({ memoryCost: 8192, timeCost: 3, parallelism: 2 });
    const hash = await custom.hash('x');
    expect(hash).toContain('m=8192');
    expect(hash).toContain('t=3');
    expect(hash).toContain('p=2');
    expect((await custom.verify(hash, 'x')).valid).toBe(true);
  });

  it('rejects bad parameters at construction', () => {
    for (const bad of [
      { memoryCost: 0 },
      { memoryCost: 1.5 },
      { timeCost: 0 },
      { parallelism: 0 },
      { parallelism: 1000 },
      { memoryCost: 8, parallelism: 2 },
      { memoryCost: Number.NaN },
    ]) {
      expect(() => new Argon2Hasher(bad)).toThrow(ConfigError);
    }
  });

  it('rejects bad input with a ValidationError', async () => {
    const good = await hasher.hash('x');
    await expect(hasher.hash('')).rejects.toThrow(ValidationError);
    await expect(hasher.hash(42 as never)).rejects.toThrow(ValidationError);
    await expect(hasher.hash('x'.repeat(4097))).rejects.toThrow(ValidationError);
    await expect(hasher.verify(good, 42 as never)).rejects.toThrow(ValidationError);
    for (const hash of [
      '',
      'plain',
      '$2b$10$abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ01', // bcrypt
      good.replace('$argon2id$', '$argon2x$'),
      good.replace(/m=\d+/, 'm=99999999999'),
      good.replace(/t=\d+/, 't=0'),
      good.replace(/,p=\d+/, ''),
      good.replace(/\$[^$]+$/, '$not*base64'),
      `${good}$extra`,
      42,
    ]) {
      await expect(hasher.verify(hash as string, 'x')).rejects.toThrow(ValidationError);
    }
  });

  it('refuses, before any work, a stored hash asking for more than 4x the configured m × t × p', async () => {
    const small = new Argon2Hasher({ memoryCost: 1024, timeCost: 1, parallelism: 1 });
    const stored = await small.hash('pw');
    // At the bound: still verified (a stronger hash from another configuration keeps working), and re-hashed.
    for (const bound of [
      { memoryCost: 4096, timeCost: 1, parallelism: 1 },
      { memoryCost: 1024, timeCost: 2, parallelism: 2 },
    ]) {
      const atBound = await new Argon2Hasher(bound).hash('pw');
      expect(await small.verify(atBound, 'pw')).toEqual({ valid: true, needsRehash: true });
      expect(small.needsRehash(atBound)).toBe(true);
    }
    for (const hostile of [
      // Each dimension within 4x, the product far past it (before: accepted, verify 36x slower).
      stored.replace(/m=\d+,p=\d+,t=\d+/, 'm=4096,p=4,t=4'),
      stored.replace(/m=\d+,p=\d+,t=\d+/, 'm=2048,p=2,t=2'),
      stored.replace(/t=\d+/, 't=50'),
      stored.replace(/m=\d+/, 'm=4100'),
      stored.replace(/m=\d+/, 'm=1048576'),
      stored.replace(/t=\d+/, 't=1000'),
      stored.replace(/p=\d+/, 'p=5'),
    ]) {
      expect(hostile).not.toBe(stored);
      await expect(small.verify(hostile, 'pw')).rejects.toMatchObject({
        code: 'validation',
        message: expect.stringContaining('more than 4x'),
      });
      expect(small.needsRehash(hostile)).toBe(true);
    }
  });

  it('runs off the event loop: timers keep firing while a hash is computed', async () => {
    let ticks = 0;
    let done = false;
    const spin = () => {
      if (done) return;
      ticks++;
      setImmediate(spin);
    };
    setImmediate(spin);
    const pending = Promise.all([hasher.hash('a'), hasher.hash('b')]);
    const ticksAtStart = ticks;
    await pending;
    done = true;
    // Had hashing run on this thread, the loop could not have turned while it was pending.
    expect(ticksAtStart).toBe(0);
    expect(ticks).toBeGreaterThan(10);
  });
});
