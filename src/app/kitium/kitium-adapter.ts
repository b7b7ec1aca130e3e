import { KitiumCoreAdapter } from './kitium-core-adapter.js';

export type { KitiumAdapterOptions } from './kitium-core-adapter.js';

/**
 * The whole @kitiumai/auth StorageAdapter: the required methods of `KitiumCoreAdapter` plus the
 * optional groups (RBAC, SSO, two-factor, SAML tenant config), split so each file stays small.
 */
export class KitiumStorageAdapter extends KitiumCoreAdapter {}
