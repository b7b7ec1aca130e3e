export {
  MitthooksExtensionStorage,
  type ExtensionToBeAddedWithContext,
  type MitthooksExtensionStorageOptions,
} from './extension-storage.js';
export type {
  Extension,
  ExtensionContextKind,
  ExtensionStorage,
  ExtensionToBeAdded,
  ExtensionToBeUpdated,
  StoredExtension,
} from './types.js';
