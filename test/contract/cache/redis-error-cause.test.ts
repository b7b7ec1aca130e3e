import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { RedisCache } from '../../../src/adapters/cache/redis/redis-cache.js';
import { redisUrl } from '../../support/postgres.js';

const url = redisUrl();

describe.skipIf(!url)('a Redis failure keeps a sanitised cause', () => {
  const namespace = `cause-${randomBytes(4).toString('hex')}:`;
  const raw = url ? new Redis(url) : undefined;
  const cache = url ? new RedisCache({ url }, { namespace }) : undefined;
  afterAll(async () => {
    const keys = (await raw?.keys(`${namespace}*`)) ?? [];
    if (keys.length > 0) await raw?.del(...keys);
    raw?.disconnect();
    await cache?.close();
  });

  it('a refused command prints its message and code, never the command and its arguments', async () => {
    const marker = `marker-${randomBytes(8).toString('hex')}`;
    await raw!.rpush(`${namespace}${marker}`, 'x');
    const error = await cache!.get(marker).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'internal' });
    const shown = `${inspect(error, { depth: Infinity, showHidden: true })}${JSON.stringify(error)}`;
    expect(shown).toContain('WRONGTYPE');
    expect(shown).not.toContain(marker);
  });
});
