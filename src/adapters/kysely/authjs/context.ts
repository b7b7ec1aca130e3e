import type { Kysely, Transaction } from 'kysely';
import { ValidationError } from '../../../domain/errors.js';
import type { IdGenerator } from '../../../ports/system.js';
import type { Codec, Dialect } from '../codec.js';
import { TableNamesPlugin, type TableMap } from '../passkey/schema/table-names-plugin.js';
import type { SqlStore } from '../sql-store.js';
import { isStorableId, type AuthjsLayout } from './layout.js';
import { AuthjsRows } from './rows.js';
import type { AuthjsDatabase } from './schema.js';

export type AuthjsDb = Kysely<AuthjsDatabase>;
export type AuthjsTrx = Transaction<AuthjsDatabase>;

/** What the Auth.js queries share: the connection typed for Auth.js's tables under the layout's names. */
export class AuthjsSql {
  readonly db: AuthjsDb;
  readonly codec: Codec;
  readonly dialect: Dialect;
  readonly rows: AuthjsRows;
  private readonly plugin: TableNamesPlugin;

  constructor(
    readonly store: SqlStore,
    readonly layout: AuthjsLayout,
    readonly ids: IdGenerator,
  ) {
    this.dialect = store.dialect;
    this.codec = store.codec;
    this.rows = new AuthjsRows(store.codec);
    // The passkey plugin maps any logical name to a quoted identifier; its key type is the only passkey part.
    const map = Object.fromEntries(
      Object.entries(layout.tables).map(([logical, table]) => [logical, { table, qualified: table }]),
    );
    this.plugin = new TableNamesPlugin(map as unknown as TableMap);
    this.db = store.typed<AuthjsDatabase>().withPlugin(this.plugin);
  }

  /** Whether `id` can be an id of this layout (else a look-up finds nothing without asking the database). */
  storable(id: string): boolean {
    return isStorableId(this.layout, this.dialect, id);
  }

  /** An id as bound in SQL: a number for SERIAL columns, the text otherwise; one the layout cannot hold is refused. */
  dbId(id: string): number | string {
    if (!this.storable(id)) {
      throw new ValidationError(
        `${this.layout.name} ids are ${this.layout.ids === 'serial' ? 'positive integers' : 'UUIDs'}`,
      );
    }
    return this.layout.ids === 'serial' ? Number(id) : id;
  }

  /** A new row id when the layout's ids are ours to make (uuid), else undefined (the database numbers it). */
  newId(): string | undefined {
    return this.layout.ids === 'uuid' ? this.ids.id() : undefined;
  }

  withSchemaLock<T>(work: (trx: AuthjsTrx) => Promise<T>): Promise<T> {
    return this.store.withMigrationLock((trx) => work((trx as unknown as AuthjsTrx).withPlugin(this.plugin)));
  }

  run<T>(work: (db: AuthjsDb) => Promise<T>, idempotent: boolean, entity: string): Promise<T> {
    return this.store.run<T>(() => work(this.db), { idempotent, entity });
  }

  transaction<T>(work: (trx: AuthjsTrx) => Promise<T>, idempotent: boolean, entity: string): Promise<T> {
    return this.store.run<T>(() => this.db.transaction().execute(work), { idempotent, entity });
  }
}
