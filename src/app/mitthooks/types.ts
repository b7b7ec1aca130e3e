// The shapes of @weissaufschwarz/mitthooks 0.3.0 `storage/extensionStorage` (types only upstream),
// restated here so authkeep's published types do not need that package; a test checks they match.

export interface Extension {
  extensionInstanceId: string;
  contextId: string;
  consentedScopes: string[];
  secret: string;
  enabled: boolean;
  variantKey?: string;
}

export type ExtensionToBeAdded = Pick<
  Extension,
  'extensionInstanceId' | 'contextId' | 'consentedScopes' | 'secret' | 'variantKey'
>;

export type ExtensionToBeUpdated = Pick<
  Extension,
  'extensionInstanceId' | 'contextId' | 'consentedScopes' | 'enabled' | 'variantKey'
>;

export interface ExtensionStorage {
  upsertExtension: (extension: ExtensionToBeAdded) => Promise<void> | void;
  updateExtension: (extension: ExtensionToBeUpdated) => Promise<void> | void;
  rotateSecret: (extensionInstanceId: string, secret: string) => Promise<void> | void;
  removeInstance: (extensionInstanceId: string) => Promise<void> | void;
}

/** The webhook's context kind; upstream always stored 'project'. */
export type ExtensionContextKind = 'customer' | 'project';

/** An instance as stored: the secret decrypted (null after a soft removal), plus what the table adds. */
export interface StoredExtension extends Omit<Extension, 'secret'> {
  secret: string | null;
  context: ExtensionContextKind;
  createdAt: Date;
  updatedAt: Date;
}
