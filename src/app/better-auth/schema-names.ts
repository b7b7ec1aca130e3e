import type { AdapterFactoryCustomizeAdapterCreator } from 'better-auth/adapters';

type Helpers = Parameters<AdapterFactoryCustomizeAdapterCreator>[0];

/** better-auth's model and field names resolved to the tables and columns the database holds. */
export class SchemaNames {
  constructor(private readonly helpers: Helpers) {}

  column(modelKey: string, field: string): string {
    return this.helpers.getFieldName({ model: modelKey, field });
  }

  idColumn(modelKey: string): string {
    return this.column(modelKey, 'id');
  }

  defaultModel(model: string): string {
    return this.helpers.getDefaultModelName(model);
  }

  /** Every column of a model, its id first; undefined for a model the schema does not have. */
  columns(modelKey: string): string[] | undefined {
    const fields = this.helpers.schema[modelKey]?.fields;
    if (!fields) return undefined;
    const named = Object.entries(fields).map(([field, attributes]) => attributes.fieldName || field);
    const id = this.idColumn(modelKey);
    return [id, ...named.filter((column) => column !== id)];
  }

  /** Columns of `json` fields, which PostgreSQL's driver would send as arrays unless made JSON text. */
  jsonColumns(modelKey: string): string[] {
    const fields = this.helpers.schema[modelKey]?.fields ?? {};
    return Object.entries(fields)
      .filter(([, attributes]) => attributes.type === 'json')
      .map(([field]) => this.column(modelKey, field));
  }
}
