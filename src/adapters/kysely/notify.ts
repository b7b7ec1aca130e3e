import { sql } from 'kysely';
import { prepare, slot } from './prepared.js';
import type { SqlStore } from './sql-store.js';

/**
 * Sends a PostgreSQL NOTIFY through the store's own pool (one autocommitted statement, so delivered once it
 * resolves, in commit order with every other NOTIFY). Works through a transaction pooler, unlike LISTEN.
 * Compiled once and run on the store's hot path (a named statement on a direct connection); repeating it
 * after an ambiguous fault is harmless, as an invalidation delivered twice is one invalidation.
 */
export function pgNotifier(store: SqlStore): (channel: string, payload: string) => Promise<void> {
  const notify = prepare<{ channel: string; payload: string }>(
    store.db.selectNoFrom(sql`pg_notify(${slot('channel')}, ${slot('payload')})`.as('sent')),
  );
  return async (channel, payload) => {
    await store.query(notify({ channel, payload }), { idempotent: true });
  };
}
