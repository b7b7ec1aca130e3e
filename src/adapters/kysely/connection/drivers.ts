import { createRequire } from 'node:module';
import type BetterSqlite3 from 'better-sqlite3';
import type * as Pg from 'pg';
import { requireOptionalPackage } from '../../../domain/optional-package.js';

// Drivers are optional peer dependencies: each is loaded on first use of its backend, not at import.
const load = createRequire(import.meta.url);
let pg: typeof Pg | undefined;
let betterSqlite3: typeof BetterSqlite3 | undefined;

export function pgDriver(): typeof Pg {
  return (pg ??= requireOptionalPackage<typeof Pg>(load, 'pg', 'the PostgreSQL backend'));
}

export function betterSqlite3Driver(): typeof BetterSqlite3 {
  return (betterSqlite3 ??= requireOptionalPackage<typeof BetterSqlite3>(
    load,
    'better-sqlite3',
    'the SQLite backend',
  ));
}
