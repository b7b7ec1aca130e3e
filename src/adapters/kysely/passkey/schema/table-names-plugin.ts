import {
  OperationNodeTransformer,
  SchemableIdentifierNode,
  type KyselyPlugin,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type QueryResult,
  type RootOperationNode,
  type TableNode,
  type UnknownRow,
} from 'kysely';
import type { ResolvedTableNames } from './table-names.js';
import type { LogicalTable } from './tables.js';

/** Logical table (as queries are written) → the configured table, schema-qualified when configured so. */
export type TableMap = Record<LogicalTable, ResolvedTableNames[keyof ResolvedTableNames]>;

class TableRenamer extends OperationNodeTransformer {
  constructor(private readonly tables: Map<string, SchemableIdentifierNode>) {
    super();
  }

  protected override transformTable(node: TableNode): TableNode {
    const transformed = super.transformTable(node);
    if (transformed.table.schema) return transformed;
    const target = this.tables.get(transformed.table.identifier.name);
    return target ? { ...transformed, table: target } : transformed;
  }
}

/**
 * Queries are written against fixed logical names (`users`, `oauth2_accounts`, …) so Kysely types them;
 * this plugin swaps in the configured names as identifiers, so they are always quoted, never spliced.
 */
export class TableNamesPlugin implements KyselyPlugin {
  private readonly renamer: TableRenamer;

  constructor(map: TableMap) {
    const tables = new Map<string, SchemableIdentifierNode>();
    for (const [logical, name] of Object.entries(map)) {
      tables.set(
        logical,
        name.schema
          ? SchemableIdentifierNode.createWithSchema(name.schema, name.table)
          : SchemableIdentifierNode.create(name.table),
      );
    }
    this.renamer = new TableRenamer(tables);
  }

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    return this.renamer.transformNode(args.node, args.queryId);
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result;
  }
}
