import type { ModelJoin, ModelRow } from '../../../ports/model-store.js';

/** The alias a joined column is read under: `_j<join index>_<column>`. */
export function joinedAlias(index: number, column: string): string {
  return `_j${index}_${column}`;
}

function hasData(row: ModelRow): boolean {
  return Object.values(row).some((value) => value !== null && value !== undefined);
}

/**
 * Folds the flat rows of a left join into one row per primary id, each join under its key: an object
 * (or null) for a one-to-one join, an array of at most `limit` distinct rows otherwise.
 */
export function groupJoinedRows(rows: ModelRow[], joins: readonly ModelJoin[], idColumn: string): ModelRow[] {
  const byId = new Map<unknown, ModelRow>();
  const prefixes = joins.map((_, index) => joinedAlias(index, ''));
  for (const flat of rows) {
    const primary: ModelRow = {};
    const joined: ModelRow[] = joins.map(() => ({}));
    for (const [key, value] of Object.entries(flat)) {
      const index = prefixes.findIndex((prefix) => key.startsWith(prefix));
      if (index === -1) primary[key] = value;
      else joined[index]![key.slice(prefixes[index]!.length)] = value;
    }
    const id = primary[idColumn];
    if (id === undefined || id === null) continue;
    const key = typeof id === 'object' ? String(id) : id;
    let entry = byId.get(key);
    if (entry === undefined) {
      entry = { ...primary };
      for (const join of joins) entry[join.key] = join.one ? null : [];
      byId.set(key, entry);
    }
    joins.forEach((join, index) => {
      const row = joined[index]!;
      if (!hasData(row)) return;
      if (join.one) {
        entry[join.key] = row;
        return;
      }
      const list = entry[join.key] as ModelRow[];
      const rowId = row[join.columns[0]!];
      if (list.length < join.limit && !list.some((item) => item[join.columns[0]!] === rowId)) list.push(row);
    });
  }
  return [...byId.values()];
}
