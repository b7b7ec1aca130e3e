import type { AdapterFactoryCustomizeAdapterCreator } from 'better-auth/adapters';

type Helpers = Parameters<AdapterFactoryCustomizeAdapterCreator>[0];

/** better-auth's model and field names resolved to the tables and columns the database holds. */
export class SchemaNames {
  /** Resolved names by model and field: every call resolves the same few, and better-auth's lookup is not free. */
  private readonly resolved = new Map<string, Map<string, string>>();
  private readonly allColumns = new Map<string, readonly string[]>();

  constructor(private readonly helpers: Helpers) {}

  column(modelKey: string, field: string): string {
    let fields = this.resolved.get(modelKey);
    if (fields === undefined) {
      fields = new Map();
      this.resolved.set(modelKey, fields);
    }
    let name = fields.get(field);
    if (name === undefined) {
      name = this.helpers.getFieldName({ model: modelKey, field });
      fields.set(field, name);
    }
    return name;
  }

  idColumn(modelKey: string): string {
    return this.column(modelKey, 'id');
  }

  defaultModel(model: string): string {
    return this.helpers.getDefaultModelName(model);
  }

  /** Every column of a model, its id first; undefined for a model the schema does not have. */
  columns(modelKey: string): readonly string[] | undefined {
    const known = this.allColumns.get(modelKey);
    if (known !== undefined) return known;
    const fields = this.helpers.schema[modelKey]?.fields;
    if (!fields) return undefined;
    const named = Object.entries(fields).map(([field, attributes]) => attributes.fieldName || field);
    const id = this.idColumn(modelKey);
    const columns = Object.freeze([id, ...named.filter((column) => column !== id)]);
    this.allColumns.set(modelKey, columns);
    return columns;
  }

  /** Columns of `json` fields, which PostgreSQL's driver would send as arrays unless made JSON text. */
  jsonColumns(modelKey: string): string[] {
    const fields = this.helpers.schema[modelKey]?.fields ?? {};
    return Object.entries(fields)
      .filter(([, attributes]) => attributes.type === 'json')
      .map(([field]) => this.column(modelKey, field));
  }
}
