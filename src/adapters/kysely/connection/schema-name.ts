import { ConfigError } from '../../../domain/errors.js';

/**
 * Schemas PostgreSQL keeps for itself: `information_schema` and every `pg_*` name (`pg_catalog`,
 * `pg_toast`, `pg_temp_*`; PostgreSQL refuses to create new `pg_` schemas but would let us add tables
 * to the existing ones as a superuser).
 */
export function isReservedSchema(name: string): boolean {
  return name === 'information_schema' || name.startsWith('pg_');
}

/** Refuses a reserved schema as the home of authkeep's tables: a config error before any connection. */
export function assertUsableSchema(name: string): string {
  if (isReservedSchema(name)) {
    throw new ConfigError(
      `schema "${name}" is reserved by PostgreSQL (information_schema, pg_*); choose a schema of your own`,
      { details: { schema: name } },
    );
  }
  return name;
}
