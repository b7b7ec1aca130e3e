import type { CompiledQuery, Compilable } from 'kysely';
import { prepare } from '../prepared.js';
import type { SlotValues } from './where.js';

/** Enough for every shape an application's schema and plugins send; past it, the oldest shape goes. */
const MAX_SHAPES = 2_000;

type Binder = (args: SlotValues) => CompiledQuery;

/** Statements compiled once per shape (operation, table, columns, where shape), bound per call. */
export class StatementCache {
  private readonly binders = new Map<string, Binder>();

  /**
   * `generation` > 0 after a schema change in this process: it marks the SQL text, so PostgreSQL's named
   * statements (named by their text) are prepared anew instead of keeping the old columns' types.
   */
  constructor(private readonly generation = 0) {}

  bind(key: string, build: () => Compilable<unknown>, args: SlotValues): CompiledQuery {
    let binder = this.binders.get(key);
    if (binder === undefined) {
      const bound = prepare<SlotValues>(build());
      const mark = ` /* g${this.generation} */`;
      binder =
        this.generation === 0
          ? bound
          : (args) => {
              const compiled = bound(args);
              return { ...compiled, sql: compiled.sql + mark };
            };
      if (this.binders.size >= MAX_SHAPES) this.binders.delete(this.binders.keys().next().value as string);
      this.binders.set(key, binder);
    }
    return binder(args);
  }

  get size(): number {
    return this.binders.size;
  }

  /** The cache to use once the schema changed: empty, one generation on. */
  next(): StatementCache {
    return new StatementCache(this.generation + 1);
  }
}
