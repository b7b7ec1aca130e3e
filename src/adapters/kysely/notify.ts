import { sql } from 'kysely';
import type { SqlStore } from './sql-store.js';

/**
 * Sends a PostgreSQL NOTIFY through the store's own pool (one autocommitted statement, so delivered once it
 * resolves, in commit order with every other NOTIFY). Works through a transaction pooler, unlike LISTEN.
 */
export function pgNotifier(store: SqlStore): (channel: string, payload: string) => Promise<void> {
  return async (channel, payload) => {
    await sql`SELECT pg_notify(${channel}, ${payload})`.execute(store.db);
  };
}
