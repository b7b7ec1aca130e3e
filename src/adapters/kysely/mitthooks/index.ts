export {
  KyselyExtensionRepo,
  type ContextKind,
  type ExtensionRecord,
  type ExtensionUpdate,
  type ExtensionUpsert,
} from './extension-repo.js';
export {
  DEFAULT_EXTENSION_TABLE,
  ensureExtensionTable,
  extensionTableName,
  type ExtensionColumns,
} from './extension-table.js';
