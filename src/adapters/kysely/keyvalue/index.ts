export { KyselyKeyValueRepo, UPSERT_BATCH, type StoredPair } from './keyvalue-repo.js';
export {
  DEFAULT_KEYVALUE_TABLE,
  ensureKeyValueTable,
  keyValueTableName,
  type KeyValueRow,
} from './keyvalue-table.js';
