/** The cache secret every test process shares (a Redis cache refuses to start without one). */
export const testCacheSecret = 'authkeep-test-cache-secret-0123456789';
