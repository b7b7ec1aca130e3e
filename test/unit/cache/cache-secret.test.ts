import { describe, expect, it } from 'vitest';
import { AesGcmKeyring } from '../../../src/adapters/crypto/keyring/aes-gcm-keyring.js';
import { silentLogger } from '../../../src/adapters/log/pino-logger.js';
import { SqliteStorageAdapter } from '../../../src/app/kitium/adapters.js';
import { cacheMacKey } from '../../../src/app/cache/cache-secret.js';
import { ConfigError } from '../../../src/domain/errors.js';

const keyring = () => new AesGcmKeyring({ keys: `k1:${Buffer.alloc(32, 7).toString('base64')}` });

describe('the cache entry key', () => {
  it('a shared (Redis) cache without secret material is refused at start-up, saying what to set', () => {
    expect(() => cacheMacKey({ shared: true }, {})).toThrow(ConfigError);
    expect(() => cacheMacKey({ shared: true }, {})).toThrow(/AUTHKEEP_CACHE_SECRET/);
    const open = () =>
      new SqliteStorageAdapter(':memory:', { logger: silentLogger, cache: 'redis://127.0.0.1:1' });
    expect(open).toThrow(ConfigError);
  });

  it('comes from the cache secret, the environment, the pepper or the keyring, the same in every process', () => {
    const secret = 'a-deployment-secret-of-enough-length';
    expect(cacheMacKey({ shared: true, secret }, {})).toEqual(cacheMacKey({ shared: true, secret }, {}));
    expect(cacheMacKey({ shared: true }, { AUTHKEEP_CACHE_SECRET: secret })).toEqual(
      cacheMacKey({ shared: true, secret }, {}),
    );
    const pepper = cacheMacKey({ shared: true, tokenPepper: 'pepper-of-sixteen-bytes' }, {});
    expect(pepper).toEqual(cacheMacKey({ shared: true, tokenPepper: 'pepper-of-sixteen-bytes' }, {}));
    expect(pepper).not.toEqual(cacheMacKey({ shared: true, secret }, {}));
    const fromKeys = cacheMacKey({ shared: true, cipher: keyring() }, {});
    expect(fromKeys).toEqual(cacheMacKey({ shared: true, cipher: keyring() }, {}));
    expect(fromKeys).toHaveLength(32);
  });

  it('rejects a short secret; an in-process cache without one gets a random key', () => {
    expect(() => cacheMacKey({ shared: true, secret: 'short' }, {})).toThrow(ConfigError);
    expect(cacheMacKey({ shared: false }, {})).not.toEqual(cacheMacKey({ shared: false }, {}));
  });
});
