export { createKeyValueStore, type KeyValueStoreOptions } from './create-keyvalue-store.js';
export {
  KeyValueStore,
  type KeyValueKey,
  type KeyValueEntry,
  type KeyValueItem,
  type KeyValuePairs,
} from './keyvalue-store.js';
export type { ReencryptOptions, ReencryptReport } from './reencrypt.js';
