import { initGetDefaultModelName, initGetFieldName, initGetModelName } from 'better-auth/adapters';
import { getAuthTables } from 'better-auth/db';
import type { BetterAuthOptions, DBAdapter } from 'better-auth/types';
import type {
  ModelCondition,
  ModelJoin,
  ModelQuery,
  ModelRow,
  ModelStore,
  ModelWriteResult,
} from '../../ports/model-store.js';

/** Where a session's token and user are, after better-auth's model and field names. */
export interface SessionUserTables {
  session: string;
  token: string;
  /** The session column that holds its user's id. */
  userId: string;
  user: string;
  userIdColumn: string;
  /** Every user column, the id first. */
  userColumns: readonly string[];
}

/** The session and user tables `options` describe, or undefined when the schema has no session→user link. */
export function sessionUserTables(
  options: BetterAuthOptions,
  usePlural: boolean | undefined,
): SessionUserTables | undefined {
  const schema = getAuthTables(options);
  const sessionFields = schema.session?.fields;
  const userFields = schema.user?.fields;
  const link = Object.entries(sessionFields ?? {}).find(
    ([, field]) => field.references?.model === 'user' && field.references.field === 'id',
  );
  if (!sessionFields?.token || !userFields || !link) return undefined;
  const modelName = initGetModelName({ schema, usePlural });
  const fieldName = initGetFieldName({ schema, usePlural });
  const userIdColumn = fieldName({ model: 'user', field: 'id' });
  const named = Object.keys(userFields).map((field) => fieldName({ model: 'user', field }));
  return {
    session: modelName('session'),
    token: fieldName({ model: 'session', field: 'token' }),
    userId: fieldName({ model: 'session', field: link[0] }),
    user: modelName('user'),
    userIdColumn,
    userColumns: [userIdColumn, ...named.filter((column) => column !== userIdColumn)],
  };
}

/** The user a session read brought along: one slot, shared by every better-auth instance on one adapter. */
export class BroughtUser {
  private held: { id: string; row: ModelRow | null } | undefined;
  private clearing = false;
  private asked = false;

  /** Whether the findOne being started asked for the session's user too (see watchUserJoins). */
  get wanted(): boolean {
    return this.asked;
  }

  /** Runs the start of a findOne (synchronous up to its first await) knowing whether it asked for the user. */
  asking<T>(wantsUser: boolean, call: () => T): T {
    const before = this.asked;
    this.asked = wantsUser;
    try {
      return call();
    } finally {
      this.asked = before;
    }
  }

  hold(id: string, row: ModelRow | null): void {
    this.held = { id, row };
    if (this.clearing) return;
    this.clearing = true;
    // Gone once the microtasks of this turn have run: only the read that continues this one may take it.
    process.nextTick(() => {
      this.held = undefined;
      this.clearing = false;
    });
  }

  /** The held row (a user may be null) when it is user `id`'s; whatever the answer, the slot is emptied. */
  take(id: string): ModelRow | null | undefined {
    const held = this.held;
    this.held = undefined;
    return held !== undefined && held.id === id ? held.row : undefined;
  }

  drop(): void {
    this.held = undefined;
  }
}

/**
 * Lets `brought` know which findOne calls ask for the session's user (getSession's `join: { user: true }`,
 * which better-auth's factory then reads by a second call unless `advanced.database.joins`): only those bring
 * it along, so a session read alone costs no join.
 */
export function watchUserJoins(
  instance: DBAdapter<BetterAuthOptions>,
  brought: BroughtUser,
  options: BetterAuthOptions,
  usePlural: boolean | undefined,
): void {
  const defaultModel = initGetDefaultModelName({ schema: getAuthTables(options), usePlural });
  const asksForUser = (join: Record<string, unknown> | undefined) => {
    if (!join) return false;
    for (const model in join) {
      try {
        if (join[model] && defaultModel(model) === 'user') return true;
      } catch {
        // Not a model of this schema: better-auth's factory reports it.
      }
    }
    return false;
  };
  const findOne = instance.findOne;
  instance.findOne = ((query: Parameters<typeof findOne>[0]) =>
    brought.asking(asksForUser(query.join), () => findOne(query))) as typeof findOne;
}

const BROUGHT = '\u0000authkeep.user';

/** A single case-sensitive equality on `column` with one non-null value, and nothing else asked. */
function pointRead(query: ModelQuery, column: string): ModelCondition | undefined {
  const where = query.where;
  if (!where || where.length !== 1 || query.joins?.length || query.select?.length) return undefined;
  if (query.sort || query.offset !== undefined || query.forUpdate) return undefined;
  const term = where[0]!;
  if (term.column !== column || term.operator !== 'eq' || term.insensitive) return undefined;
  return term.value === null || Array.isArray(term.value) ? undefined : term;
}

/**
 * getSession in one statement without a cache: better-auth reads a session by token, then (its join done by
 * separate queries unless `advanced.database.joins`) the session's user by id. A session read that asked for
 * its user brings it along here (a left join: the snapshot a join reads) and the user read that comes next
 * takes it. Only the very next call through the adapter, in the same turn, may take it: any other call (and
 * every write) empties the slot first, so no read is answered from a statement older than the call before it.
 */
export class SessionUserReads implements ModelStore {
  readonly dialect: 'postgres' | 'sqlite';
  private readonly join: ModelJoin;

  constructor(
    private readonly inner: ModelStore,
    private readonly tables: SessionUserTables,
    private readonly brought: BroughtUser,
  ) {
    this.dialect = inner.dialect;
    this.join = {
      key: BROUGHT,
      table: tables.user,
      from: tables.userId,
      to: tables.userIdColumn,
      columns: tables.userColumns,
      one: true,
      limit: 1,
    };
  }

  async findOne(table: string, query: ModelQuery): Promise<ModelRow | null> {
    if (table === this.tables.user) {
      const term = pointRead(query, this.tables.userIdColumn);
      const held = term ? this.brought.take(String(term.value)) : (this.brought.drop(), undefined);
      if (held !== undefined) return held;
      return this.inner.findOne(table, query);
    }
    this.brought.drop();
    if (!this.brought.wanted || table !== this.tables.session || !pointRead(query, this.tables.token)) {
      return this.inner.findOne(table, query);
    }
    const row = await this.inner.findOne(table, { ...query, joins: [this.join] });
    if (row === null) return null;
    const user = row[BROUGHT] as ModelRow | null;
    delete row[BROUGHT];
    const id = row[this.tables.userId];
    if (id !== null && id !== undefined) this.brought.hold(String(id), user);
    return row;
  }

  findMany(table: string, query: ModelQuery): Promise<ModelRow[]> {
    this.brought.drop();
    return this.inner.findMany(table, query);
  }

  count(table: string, where: readonly ModelCondition[]): Promise<number> {
    this.brought.drop();
    return this.inner.count(table, where);
  }

  /** A write empties the slot before it starts and once it is done (a synchronous driver runs in one turn). */
  private async writing<T>(write: Promise<T>): Promise<T> {
    try {
      return await write;
    } finally {
      this.brought.drop();
    }
  }

  insert(table: string, values: ModelRow): Promise<ModelRow> {
    this.brought.drop();
    return this.writing(this.inner.insert(table, values));
  }

  update(
    table: string,
    where: readonly ModelCondition[],
    values: ModelRow,
    returning: boolean,
  ): Promise<ModelWriteResult> {
    this.brought.drop();
    return this.writing(this.inner.update(table, where, values, returning));
  }

  delete(table: string, where: readonly ModelCondition[], returning: boolean): Promise<ModelWriteResult> {
    this.brought.drop();
    return this.writing(this.inner.delete(table, where, returning));
  }

  consumeOne(table: string, where: readonly ModelCondition[], idColumn: string): Promise<ModelRow | null> {
    this.brought.drop();
    return this.writing(this.inner.consumeOne(table, where, idColumn));
  }

  incrementOne(
    table: string,
    where: readonly ModelCondition[],
    idColumn: string,
    increment: Record<string, number>,
    set: ModelRow,
  ): Promise<ModelRow | null> {
    this.brought.drop();
    return this.writing(this.inner.incrementOne(table, where, idColumn, increment, set));
  }

  /** Statements in a transaction run as they are (nothing brought along), and the slot is emptied after. */
  transaction<T>(work: (store: ModelStore) => Promise<T>): Promise<T> {
    this.brought.drop();
    return this.writing(this.inner.transaction(work));
  }
}
