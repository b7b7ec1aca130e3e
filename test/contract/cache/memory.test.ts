import { MemoryCache } from '../../../src/adapters/cache/memory/memory-cache.js';
import { ResilientCache } from '../../../src/adapters/cache/resilient/resilient-cache.js';
import { silentLogger } from '../../../src/adapters/log/pino-logger.js';
import { describeCacheContract } from './cache-contract.js';

describeCacheContract({
  name: 'memory',
  available: () => true,
  open: async () => new MemoryCache({ maxBytes: 64 * 1024 * 1024 }),
});

describeCacheContract({
  name: 'resilient over memory',
  available: () => true,
  // A generous timeout: on a loaded machine a 50 ms budget would turn a slow tick into a miss.
  open: async () => new ResilientCache(new MemoryCache(), { logger: silentLogger, timeoutMs: 5_000 }),
});
