import type { BenchModule } from './module.js';
import { peersModule } from './cases/peers/index.js';
import { sqliteModule } from './cases/sqlite.js';
import { redisModule } from './cases/cache.js';
import { cacheTiersModule } from './cases/cache-tiers.js';
import { verifyModule, rotationModule } from './cases/operations.js';
import { replicaModule } from './cases/replica.js';
import { poolerModule } from './cases/pooler.js';
import { authjsModule } from './cases/authjs.js';
import { betterAuthModule } from './cases/better-auth.js';

/** Every benchmark module, in run order. Other modules register here: one import, one entry. */
export const modules: BenchModule[] = [
  peersModule,
  redisModule,
  cacheTiersModule,
  verifyModule,
  rotationModule,
  sqliteModule,
  replicaModule,
  poolerModule,
  authjsModule,
  betterAuthModule,
];
