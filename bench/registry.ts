import type { BenchModule } from './module.js';
import { postgresModule } from './cases/sql.js';
import { sqliteModule } from './cases/sqlite.js';
import { redisModule } from './cases/cache.js';
import { verifyModule, rotationModule } from './cases/operations.js';

/** Every benchmark module, in run order. Other modules register here: one import, one entry. */
export const modules: BenchModule[] = [
  postgresModule,
  redisModule,
  verifyModule,
  rotationModule,
  sqliteModule,
];
