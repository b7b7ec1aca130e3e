import type { Kysely, Transaction } from 'kysely';
import type { Clock } from '../../../ports/system.js';
import type { Dialect } from '../codec.js';
import type { SqlStore } from '../sql-store.js';
import { passkeyCodecFor, type PasskeyCodec } from './passkey-codec.js';
import type { PasskeyDatabase } from './schema/tables.js';
import { TableNamesPlugin } from './schema/table-names-plugin.js';
import { CRATE_06_SHAPE, type PasskeyTableShape } from './schema/table-shape.js';
import { resolveTableNames, type PasskeyTableNames, type ResolvedTableNames } from './schema/table-names.js';

export type PasskeyDb = Kysely<PasskeyDatabase>;
export type PasskeyTrx = Transaction<PasskeyDatabase>;

/** How a unit of work may be retried (see SqlStore.run) and what it is called in errors. */
export interface PasskeyRunOptions {
  idempotent: boolean;
  entity: string;
}

/** What every oauth2-passkey repository shares: the connection typed for the crate's tables, and its codec. */
export class PasskeySql {
  readonly db: PasskeyDb;
  readonly codec: PasskeyCodec;
  readonly dialect: Dialect;
  readonly names: ResolvedTableNames;
  /** The oauth2_accounts layout init() found (the crate's 0.6 one until then). */
  shape: PasskeyTableShape = CRATE_06_SHAPE;
  private readonly plugin: TableNamesPlugin;

  constructor(
    readonly store: SqlStore,
    names: PasskeyTableNames,
    readonly clock: Clock,
  ) {
    this.dialect = store.dialect;
    this.names = resolveTableNames(names, store.dialect);
    this.codec = passkeyCodecFor(store.dialect);
    this.plugin = new TableNamesPlugin({
      users: this.names.users,
      oauth2_accounts: this.names.oauth2Accounts,
      passkey_credentials: this.names.passkeyCredentials,
      login_history: this.names.loginHistory,
    });
    this.db = store.typed<PasskeyDatabase>().withPlugin(this.plugin);
  }

  /** Runs `work` in one transaction holding the store's schema lock (PostgreSQL: an advisory lock). */
  withSchemaLock<T>(work: (trx: PasskeyTrx) => Promise<T>): Promise<T> {
    return this.store.withMigrationLock((trx) =>
      work((trx as unknown as PasskeyTrx).withPlugin(this.plugin)),
    );
  }

  /** One statement (or a few) with the store's retry policy and error translation. */
  run<T>(work: (db: PasskeyDb) => Promise<T>, options: PasskeyRunOptions): Promise<T> {
    return this.store.run<T>(() => work(this.db), options);
  }

  /** One transaction, retried as a whole on transient faults when `options.idempotent` allows. */
  transaction<T>(work: (trx: PasskeyTrx) => Promise<T>, options: PasskeyRunOptions): Promise<T> {
    return this.store.run<T>(() => this.db.transaction().execute(work), options);
  }

  now(): Date {
    return this.clock.now();
  }
}
