import type { CleanedWhere, JoinConfig } from 'better-auth/adapters';
import type { ModelCondition, ModelJoin, ModelValue } from '../../ports/model-store.js';
import type { SchemaNames } from './schema-names.js';

/** better-auth's where clause (already cleaned by its factory) as the model store's conditions. */
export function conditionsOf(
  names: SchemaNames,
  modelKey: string,
  where: CleanedWhere[] | undefined,
): ModelCondition[] {
  return (where ?? []).map((term) => ({
    column: names.column(modelKey, term.field),
    operator: term.operator.toLowerCase() as ModelCondition['operator'],
    value: term.value as ModelValue,
    connector: term.connector === 'OR' ? 'OR' : 'AND',
    insensitive: term.mode === 'insensitive',
  }));
}

/** better-auth's resolved joins as the model store's: every column of the joined model, id first. */
export function joinsOf(names: SchemaNames, join: JoinConfig | undefined): ModelJoin[] {
  if (!join) return [];
  return Object.entries(join).flatMap(([model, config]) => {
    const modelKey = config.modelKey ?? names.defaultModel(model);
    const columns = names.columns(modelKey);
    if (columns === undefined) return [];
    return [
      {
        key: model,
        table: model,
        from: config.on.from,
        to: config.on.to,
        columns,
        one: config.relation === 'one-to-one',
        limit: config.limit ?? 100,
      },
    ];
  });
}
