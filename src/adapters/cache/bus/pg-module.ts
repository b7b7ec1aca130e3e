import { createRequire } from 'node:module';
import type * as Pg from 'pg';
import { requireOptionalPackage } from '../../../domain/optional-package.js';

// pg is an optional peer dependency: loaded when a PostgreSQL invalidation bus is first opened.
const load = createRequire(import.meta.url);
let pg: typeof Pg | undefined;

export function pgModule(): typeof Pg {
  return (pg ??= requireOptionalPackage<typeof Pg>(load, 'pg', 'the PostgreSQL invalidation bus'));
}
