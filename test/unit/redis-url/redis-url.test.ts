import { describe, expect, it } from 'vitest';
import { isRedisUrl, redisConnectionFromUrl } from '../../../src/adapters/cache/redis/redis-url.js';
import { ConfigError } from '../../../src/domain/errors.js';

describe('Redis topology URLs', () => {
  it('leaves redis:// and rediss:// to ioredis, with our client defaults', () => {
    expect(redisConnectionFromUrl('redis://:pw@h:6380/2', { lazyConnect: true })).toEqual({
      url: 'redis://:pw@h:6380/2',
      options: { lazyConnect: true },
    });
  });

  it('reads Cluster seed nodes, credentials and TLS from redis+cluster:// and rediss+cluster://', () => {
    expect(redisConnectionFromUrl('redis+cluster://h1:7000,h2:7001,h3', { commandTimeout: 50 })).toEqual({
      cluster: [
        { host: 'h1', port: 7000 },
        { host: 'h2', port: 7001 },
        { host: 'h3', port: 6379 },
      ],
      options: { redisOptions: { commandTimeout: 50 } },
    });
    expect(redisConnectionFromUrl('rediss+cluster://app:s%40cret@[::1]:7000/')).toMatchObject({
      cluster: [{ host: '::1', port: 7000 }],
      options: { redisOptions: { username: 'app', password: 's@cret', tls: {} } },
    });
  });

  it('reads Sentinels (default port 26379), the master name, db and Sentinel credentials', () => {
    expect(
      redisConnectionFromUrl('redis+sentinel://:pw@s1:5000,s2/mymaster/3?sentinelPassword=sp', {
        lazyConnect: true,
      }),
    ).toEqual({
      sentinels: [
        { host: 's1', port: 5000 },
        { host: 's2', port: 26379 },
      ],
      name: 'mymaster',
      options: { lazyConnect: true, password: 'pw', db: 3, sentinelPassword: 'sp' },
    });
    expect(redisConnectionFromUrl('rediss+sentinel://s1/m')).toMatchObject({
      options: { tls: {}, sentinelTLS: {}, enableTLSForSentinelMode: true },
    });
  });

  it('knows its schemes by name only', () => {
    expect(isRedisUrl('REDIS+SENTINEL://s/m')).toBe(true);
    expect(isRedisUrl('redis+sentinel:/s/m')).toBe(false);
    expect(isRedisUrl('memcached://h')).toBe(false);
  });

  it.each([
    ['memcached://u:hunter2@h:1', /unsupported Redis URL scheme/],
    ['redis+sentinel://u:hunter2@s1:1', /names its master/],
    ['redis+sentinel://u:hunter2@s1:1/m/x', /database must be a number/],
    ['redis+sentinel://u:hunter2@s1:1/m/0/extra', /names its master/],
    ['redis+cluster://u:hunter2@h1:99999', /malformed host:port/],
    ['redis+cluster://u:hunter2@h1:1/0', /no path/],
    ['redis+cluster://u:hunter2@h1:1?password=hunter2', /unknown Redis URL parameter "password"/],
  ])('refuses %s with a config error that never echoes the password', (url, message) => {
    const attempt = () => redisConnectionFromUrl(url);
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(message);
    try {
      attempt();
    } catch (error) {
      expect(JSON.stringify(error) + String((error as Error).message)).not.toContain('hunter2');
    }
  });
});
