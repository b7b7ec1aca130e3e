import type { Compilable, CompiledQuery } from 'kysely';

/** A named slot in a query compiled once; `bind` fills it on every call. */
class Slot {
  constructor(readonly name: string) {}
}

/** A stand-in value for a query built once at start-up (typed loosely so Kysely accepts it anywhere). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function slot(name: string): any {
  return new Slot(name);
}

/**
 * Compiles a query once and returns a binder: hot paths skip Kysely's builder and compiler per call,
 * and the SQL text stays identical, so the driver's prepared-statement cache always hits.
 */
export function prepare<A extends Record<string, unknown>>(
  query: Compilable<unknown>,
): (args: A) => CompiledQuery {
  const compiled = query.compile();
  const { sql, query: node, queryId } = compiled;
  const fixed = compiled.parameters;
  const names = fixed.map((value) => (value instanceof Slot ? value.name : undefined));
  // Built by hand, not spread and mapped: a binder runs on every hot read and write.
  return (args) => {
    const parameters: unknown[] = [];
    for (let i = 0; i < names.length; i++) {
      const name = names[i];
      parameters.push(name === undefined ? fixed[i] : args[name]);
    }
    return { sql, query: node, queryId, parameters };
  };
}
