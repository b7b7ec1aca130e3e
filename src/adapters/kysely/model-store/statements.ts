import { sql, type Compilable, type Kysely } from 'kysely';
import type { ModelCondition, ModelJoin, ModelQuery, ModelRow } from '../../../ports/model-store.js';
import { slot } from '../prepared.js';
import { joinedAlias } from './joined-rows.js';
import { whereExpression, whereShape } from './where.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tables are the caller's schema
export type AnyDb = Kysely<any>;
type Dialect = 'postgres' | 'sqlite';

/** A statement's builder and the key it is cached under; both depend on shapes only, never values. */
export interface StatementPlan {
  key: string;
  build: () => Compilable<unknown>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- Kysely's builders over an unknown table
type AnyQuery = any;

function filtered(query: AnyQuery, where: readonly ModelCondition[], dialect: Dialect, qualifier?: string) {
  if (where.length === 0) return query;
  return query.where((eb: AnyQuery) => whereExpression(eb, where, dialect, qualifier));
}

function joinsShape(joins: readonly ModelJoin[]): string {
  return joins.map((j) => `${j.table}.${j.to}=${j.from}[${j.columns.join(',')}]`).join(';');
}

export function selectPlan(
  db: AnyDb,
  dialect: Dialect,
  table: string,
  query: ModelQuery,
  one: boolean,
): StatementPlan {
  const where = query.where ?? [];
  const select = query.select ?? [];
  const joins = query.joins ?? [];
  const pages = `${query.limit !== undefined || one ? 'L' : ''}${query.offset !== undefined ? 'O' : ''}`;
  const sort = query.sort ? `${query.sort.column} ${query.sort.direction}` : '';
  const lock = query.forUpdate && dialect === 'postgres' ? 'U' : '';
  const key = [
    'select',
    table,
    select.join(','),
    sort,
    pages,
    lock,
    joinsShape(joins),
    whereShape(where),
  ].join('|');
  const build = () => {
    let inner = filtered(db.selectFrom(table), where, dialect);
    inner = select.length > 0 ? inner.select([...select]) : inner.selectAll();
    if (query.sort) inner = inner.orderBy(query.sort.column, query.sort.direction);
    if (query.limit !== undefined || one || query.offset !== undefined) inner = inner.limit(slot('limit'));
    if (query.offset !== undefined) inner = inner.offset(slot('offset'));
    if (lock) inner = inner.forUpdate();
    if (joins.length === 0) return inner;
    let outer: AnyQuery = db.selectFrom(inner.as('primary')).selectAll('primary');
    joins.forEach((join, index) => {
      const alias = `j${index}`;
      outer = outer
        .leftJoin(`${join.table} as ${alias}`, (on: AnyQuery) =>
          on.onRef(`${alias}.${join.to}`, '=', `primary.${join.from}`),
        )
        .select(join.columns.map((column) => sql.ref(`${alias}.${column}`).as(joinedAlias(index, column))));
    });
    if (query.sort) outer = outer.orderBy(`primary.${query.sort.column}`, query.sort.direction);
    return outer;
  };
  return { key, build };
}

export function countPlan(
  db: AnyDb,
  dialect: Dialect,
  table: string,
  where: readonly ModelCondition[],
): StatementPlan {
  return {
    key: ['count', table, whereShape(where)].join('|'),
    build: () => filtered(db.selectFrom(table).select(sql<string>`count(*)`.as('count')), where, dialect),
  };
}

export function insertPlan(db: AnyDb, table: string, values: ModelRow): StatementPlan {
  const columns = Object.keys(values);
  return {
    key: ['insert', table, columns.join(',')].join('|'),
    build: () => {
      const insert = db.insertInto(table);
      const filled =
        columns.length === 0
          ? insert.defaultValues()
          : insert.values(Object.fromEntries(columns.map((column) => [column, slot(`v_${column}`)])));
      return filled.returningAll();
    },
  };
}

function assignments(columns: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(columns.map((column) => [column, slot(`v_${column}`)]));
}

export function updatePlan(
  db: AnyDb,
  dialect: Dialect,
  table: string,
  where: readonly ModelCondition[],
  values: ModelRow,
  returning: boolean,
): StatementPlan {
  const columns = Object.keys(values);
  return {
    key: ['update', table, columns.join(','), returning ? 'R' : '', whereShape(where)].join('|'),
    build: () => {
      const update = filtered(db.updateTable(table).set(assignments(columns)), where, dialect);
      return returning ? update.returningAll() : update;
    },
  };
}

export function deletePlan(
  db: AnyDb,
  dialect: Dialect,
  table: string,
  where: readonly ModelCondition[],
  returning: boolean,
): StatementPlan {
  return {
    key: ['delete', table, returning ? 'R' : '', whereShape(where)].join('|'),
    build: () => {
      const remove = filtered(db.deleteFrom(table), where, dialect);
      return returning ? remove.returningAll() : remove;
    },
  };
}

/** The first matching row's id, as a subquery: the single-row target of consumeOne and incrementOne. */
function firstId(
  db: AnyDb,
  dialect: Dialect,
  table: string,
  where: readonly ModelCondition[],
  idColumn: string,
) {
  return filtered(
    db.selectFrom(`${table} as target`).select(`target.${idColumn}`),
    where,
    dialect,
    'target',
  ).limit(1);
}

export function consumePlan(
  db: AnyDb,
  dialect: Dialect,
  table: string,
  where: readonly ModelCondition[],
  idColumn: string,
): StatementPlan {
  return {
    key: ['consume', table, idColumn, whereShape(where)].join('|'),
    // The outer where repeats the guard: a row changed by a concurrent writer is re-checked, not taken.
    build: () =>
      filtered(
        db.deleteFrom(table).where(idColumn, 'in', firstId(db, dialect, table, where, idColumn)),
        where,
        dialect,
      ).returningAll(),
  };
}

export function incrementPlan(
  db: AnyDb,
  dialect: Dialect,
  table: string,
  where: readonly ModelCondition[],
  idColumn: string,
  increment: Record<string, number>,
  set: ModelRow,
): StatementPlan {
  const added = Object.keys(increment);
  const columns = Object.keys(set);
  return {
    key: ['increment', table, idColumn, added.join(','), columns.join(','), whereShape(where)].join('|'),
    build: () => {
      const changes = {
        ...assignments(columns),
        ...Object.fromEntries(
          added.map((column) => [column, sql`${sql.ref(column)} + ${slot(`d_${column}`)}`]),
        ),
      };
      return filtered(
        db
          .updateTable(table)
          .set(changes)
          .where(idColumn, 'in', firstId(db, dialect, table, where, idColumn)),
        where,
        dialect,
      ).returningAll();
    },
  };
}
