import { sql, type Expression, type ExpressionBuilder, type SqlBool } from 'kysely';
import type { ModelCondition, ModelValue } from '../../../ports/model-store.js';
import { slot } from '../prepared.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tables are the caller's schema
type AnyBuilder = ExpressionBuilder<any, any>;

/** Statement parameters by slot name, filled from a call's conditions. */
export type SlotValues = Record<string, unknown>;

function insensitiveApplies(condition: ModelCondition): boolean {
  const { value } = condition;
  if (condition.insensitive !== true) return false;
  return typeof value === 'string' || (Array.isArray(value) && value.every((v) => typeof v === 'string'));
}

function listOf(value: ModelValue): readonly unknown[] {
  return Array.isArray(value) ? value : [value];
}

/** What decides a condition's SQL (never its value, except null-ness and a list's length). */
function conditionShape(condition: ModelCondition): string {
  const { value, operator } = condition;
  const form =
    operator === 'in' || operator === 'not_in' ? `a${listOf(value).length}` : value === null ? 'n' : 'v';
  const mode = insensitiveApplies(condition) ? 'i' : 's';
  return `${condition.column}\u0001${operator}\u0001${condition.connector}\u0001${mode}\u0001${form}`;
}

/** The part of a statement's cache key that its where clause decides. */
export function whereShape(where: readonly ModelCondition[]): string {
  return where.map(conditionShape).join('\u0002');
}

const lower = (text: string) => text.toLowerCase();

function pattern(operator: ModelCondition['operator'], value: unknown): string {
  const text = String(value);
  if (operator === 'contains') return `%${text}%`;
  if (operator === 'starts_with') return `${text}%`;
  return `%${text}`;
}

/** The values a condition binds, in the slot names `whereExpression` gave it. */
export function bindWhere(where: readonly ModelCondition[], into: SlotValues = {}): SlotValues {
  where.forEach((condition, index) => {
    const { operator, value } = condition;
    const folded = insensitiveApplies(condition);
    if (operator === 'in' || operator === 'not_in') {
      listOf(value).forEach((item, at) => {
        into[`w${index}_${at}`] = folded ? lower(item as string) : item;
      });
    } else if (operator === 'contains' || operator === 'starts_with' || operator === 'ends_with') {
      into[`w${index}`] = folded ? lower(pattern(operator, value)) : pattern(operator, value);
    } else if (value !== null || (operator !== 'eq' && operator !== 'ne')) {
      into[`w${index}`] = folded ? lower(value as string) : value;
    }
  });
  return into;
}

const COMPARISONS = { lt: '<', lte: '<=', gt: '>', gte: '>=' } as const;

function term(
  eb: AnyBuilder,
  condition: ModelCondition,
  index: number,
  dialect: 'postgres' | 'sqlite',
  qualifier?: string,
): Expression<SqlBool> {
  const { operator, value } = condition;
  const column = qualifier ? `${qualifier}.${condition.column}` : condition.column;
  const folded = insensitiveApplies(condition);
  const ref = sql.ref(column);
  const left = folded ? sql`lower(${ref})` : ref;
  const one = slot(`w${index}`);
  switch (operator) {
    case 'in':
    case 'not_in': {
      const items = listOf(value).map((_, at) => slot(`w${index}_${at}`));
      // An empty list matches nothing (in) or everything (not_in); `in ()` is not SQL.
      if (items.length === 0) return operator === 'in' ? sql<SqlBool>`1 = 0` : sql<SqlBool>`1 = 1`;
      return eb(left, operator === 'in' ? 'in' : 'not in', items);
    }
    case 'contains':
    case 'starts_with':
    case 'ends_with':
      if (!folded) return eb(ref, 'like', one);
      // The bound pattern is lower-cased already; PostgreSQL folds with ILIKE as better-auth's adapter does.
      return dialect === 'postgres'
        ? sql<SqlBool>`${ref} ilike ${one}`
        : sql<SqlBool>`lower(${ref}) like ${one}`;
    case 'eq':
      return value === null ? eb(ref, 'is', null) : eb(left, '=', one);
    case 'ne':
      return value === null ? eb(ref, 'is not', null) : eb(left, '<>', one);
    default:
      return eb(ref, COMPARISONS[operator], one);
  }
}

/** The where clause as one expression: every AND term, and any of the OR terms. Values are slots. */
export function whereExpression(
  eb: AnyBuilder,
  where: readonly ModelCondition[],
  dialect: 'postgres' | 'sqlite',
  qualifier?: string,
): Expression<SqlBool> {
  const ands: Expression<SqlBool>[] = [];
  const ors: Expression<SqlBool>[] = [];
  where.forEach((condition, index) => {
    const expression = term(eb, condition, index, dialect, qualifier);
    (condition.connector === 'OR' ? ors : ands).push(expression);
  });
  if (ors.length > 0) ands.push(eb.or(ors));
  return eb.and(ands);
}
