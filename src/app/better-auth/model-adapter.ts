import type { AdapterFactoryCustomizeAdapterCreator, CustomAdapter } from 'better-auth/adapters';
import type { ModelRow, ModelStore } from '../../ports/model-store.js';
import { SchemaNames } from './schema-names.js';
import { conditionsOf, joinsOf } from './where-terms.js';

/** On PostgreSQL, arrays bound for `json` columns go as JSON text (pg would send them as SQL arrays). */
function encodeJson(store: ModelStore, names: SchemaNames, modelKey: string, values: ModelRow): ModelRow {
  if (store.dialect !== 'postgres') return values;
  let encoded: ModelRow | undefined;
  for (const column of names.jsonColumns(modelKey)) {
    if (!Array.isArray(values[column])) continue;
    encoded ??= { ...values };
    encoded[column] = JSON.stringify(values[column]);
  }
  return encoded ?? values;
}

/** better-auth's CustomAdapter over a model store: names resolved, then one store call per method. */
export function modelAdapter(store: ModelStore): AdapterFactoryCustomizeAdapterCreator {
  return (helpers) => {
    const names = new SchemaNames(helpers);
    const adapter: CustomAdapter = {
      async create({ model, modelKey = model, data }) {
        return (await store.insert(model, encodeJson(store, names, modelKey, data))) as typeof data;
      },
      async findOne({ model, modelKey = model, where, select, join }) {
        const row = await store.findOne(model, {
          where: conditionsOf(names, modelKey, where),
          select: select?.map((field) => names.column(modelKey, field)),
          joins: joinsOf(names, join),
          idColumn: names.idColumn(modelKey),
        });
        return row as never;
      },
      async findMany({ model, modelKey = model, where, limit, select, sortBy, offset, join }) {
        const rows = await store.findMany(model, {
          where: conditionsOf(names, modelKey, where),
          select: select?.map((field) => names.column(modelKey, field)),
          sort: sortBy
            ? { column: names.column(modelKey, sortBy.field), direction: sortBy.direction }
            : undefined,
          limit,
          offset,
          joins: joinsOf(names, join),
          idColumn: names.idColumn(modelKey),
        });
        return rows as never[];
      },
      async count({ model, modelKey = model, where }) {
        return store.count(model, conditionsOf(names, modelKey, where));
      },
      async update({ model, modelKey = model, where, update }) {
        if (where.length === 0) return null;
        const values = encodeJson(store, names, modelKey, update as ModelRow);
        const { rows } = await store.update(model, conditionsOf(names, modelKey, where), values, true);
        return (rows[0] ?? null) as never;
      },
      async updateMany({ model, modelKey = model, where, update }) {
        const values = encodeJson(store, names, modelKey, update);
        return (await store.update(model, conditionsOf(names, modelKey, where), values, false)).count;
      },
      async delete({ model, modelKey = model, where }) {
        await store.delete(model, conditionsOf(names, modelKey, where), false);
      },
      async deleteMany({ model, modelKey = model, where }) {
        return (await store.delete(model, conditionsOf(names, modelKey, where), false)).count;
      },
      async consumeOne({ model, modelKey = model, where }) {
        const row = await store.consumeOne(
          model,
          conditionsOf(names, modelKey, where),
          names.idColumn(modelKey),
        );
        return row as never;
      },
      async incrementOne({ model, modelKey = model, where, increment, set }) {
        const row = await store.incrementOne(
          model,
          conditionsOf(names, modelKey, where),
          names.idColumn(modelKey),
          increment,
          encodeJson(store, names, modelKey, set ?? {}),
        );
        return row as never;
      },
    };
    return adapter;
  };
}
