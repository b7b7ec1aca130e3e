import { createRequire } from 'node:module';
import type * as IoRedis from 'ioredis';
import { requireOptionalPackage } from '../../../domain/optional-package.js';

// ioredis is an optional peer dependency: loaded when a Redis cache is first opened, not at import.
const load = createRequire(import.meta.url);
let ioredis: typeof IoRedis | undefined;

export function ioredisModule(): typeof IoRedis {
  return (ioredis ??= requireOptionalPackage<typeof IoRedis>(load, 'ioredis', 'the Redis cache'));
}
