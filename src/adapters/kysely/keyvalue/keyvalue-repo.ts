import type { Kysely } from 'kysely';
import type { SqlStore } from '../sql-store.js';
import type { KeyValueDatabase } from './keyvalue-table.js';

/** One stored pair: the key and the value's JSON text as the database holds it. */
export interface StoredPair {
  key: string;
  json: string;
}

/** Rows per INSERT: 4 parameters each stays far below PostgreSQL's 65535 and SQLite's 32766. */
export const UPSERT_BATCH = 1000;

const entity = 'key-value entry';

/**
 * The SQL of the key-value store. Values go in and come out as JSON text (PostgreSQL casts jsonb to
 * text), so the store above decides what the JSON means; listings page by key (keyset, no OFFSET).
 */
export class KyselyKeyValueRepo {
  private readonly db: Kysely<KeyValueDatabase>;
  // The validated name under the alias type; Kysely quotes it as an identifier.
  private readonly t: 'kv';

  constructor(
    private readonly store: SqlStore,
    table: string,
  ) {
    this.db = store.typed<KeyValueDatabase>();
    this.t = table as 'kv';
  }

  async get(key: string): Promise<string | undefined> {
    const row = await this.store.run(
      () =>
        this.db
          .selectFrom(this.t)
          .select((eb) => eb.cast<string>('value', 'text').as('json'))
          .where('key', '=', key)
          .executeTakeFirst(),
      { idempotent: true, entity },
    );
    return row?.json;
  }

  /** Upserts every pair in one transaction, one INSERT … ON CONFLICT per batch; pairs are unique by key. */
  async upsert(pairs: readonly StoredPair[], now: string | Date): Promise<void> {
    if (pairs.length === 0) return;
    const batches: StoredPair[][] = [];
    for (let i = 0; i < pairs.length; i += UPSERT_BATCH) batches.push(pairs.slice(i, i + UPSERT_BATCH));
    const write = (db: Kysely<KeyValueDatabase>, batch: StoredPair[]) =>
      db
        .insertInto(this.t)
        .values(batch.map(({ key, json }) => ({ key, value: json, created_at: now, updated_at: now })))
        .onConflict((oc) =>
          oc.column('key').doUpdateSet((eb) => ({
            value: eb.ref('excluded.value'),
            updated_at: eb.ref('excluded.updated_at'),
          })),
        )
        .execute();
    // An upsert repeated after an ambiguous fault writes the same values again: idempotent.
    if (batches.length === 1) {
      await this.store.run(() => write(this.db, batches[0] as StoredPair[]), { idempotent: true, entity });
      return;
    }
    await this.store.transaction(
      async (trx) => {
        const db = trx as unknown as Kysely<KeyValueDatabase>;
        for (const batch of batches) await write(db, batch);
      },
      { idempotent: true, entity },
    );
  }

  /**
   * Rewrites values in one transaction, each only if it still holds the JSON text read (a concurrent
   * write wins); updated_at is kept, the value is the same. Returns how many rows were rewritten.
   */
  async replaceUnchanged(rewrites: readonly { key: string; old: string; json: string }[]): Promise<number> {
    if (rewrites.length === 0) return 0;
    return this.store.transaction(
      async (trx) => {
        const db = trx as unknown as Kysely<KeyValueDatabase>;
        let written = 0;
        for (const { key, old, json } of rewrites) {
          const result = await db
            .updateTable(this.t)
            .set({ value: json })
            .where('key', '=', key)
            .where((eb) => eb(eb.cast('value', 'text'), '=', old))
            .executeTakeFirst();
          written += Number(result.numUpdatedRows);
        }
        return written;
      },
      // A replay finds the new values in place and changes nothing.
      { idempotent: true, entity },
    );
  }

  async remove(key: string): Promise<void> {
    await this.store.run(() => this.db.deleteFrom(this.t).where('key', '=', key).execute(), {
      idempotent: true,
      entity,
    });
  }

  async contains(key: string): Promise<boolean> {
    const row = await this.store.run(
      () => this.db.selectFrom(this.t).select('key').where('key', '=', key).executeTakeFirst(),
      { idempotent: true, entity },
    );
    return row !== undefined;
  }

  async count(): Promise<number> {
    const row = await this.store.run(
      () =>
        this.db
          .selectFrom(this.t)
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirst(),
      { idempotent: true, entity },
    );
    return Number(row?.n ?? 0);
  }

  /** Up to `limit` pairs with keys after `after` (all keys when null), in key order. */
  async page(after: string | null, limit: number): Promise<StoredPair[]> {
    return this.store.run(
      () => {
        let query = this.db
          .selectFrom(this.t)
          .select(['key', (eb) => eb.cast<string>('value', 'text').as('json')])
          .orderBy('key')
          .limit(limit);
        if (after !== null) query = query.where('key', '>', after);
        return query.execute();
      },
      { idempotent: true, entity },
    );
  }

  /** Up to `limit` keys after `after`, in key order (values are not read). */
  async pageKeys(after: string | null, limit: number): Promise<string[]> {
    const rows = await this.store.run(
      () => {
        let query = this.db.selectFrom(this.t).select('key').orderBy('key').limit(limit);
        if (after !== null) query = query.where('key', '>', after);
        return query.execute();
      },
      { idempotent: true, entity },
    );
    return rows.map((row) => row.key);
  }

  async clear(): Promise<void> {
    await this.store.run(() => this.db.deleteFrom(this.t).execute(), { idempotent: true, entity });
  }
}
