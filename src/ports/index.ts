export type * from './repos.js';
export type * from './system.js';
export type * from './cache.js';
export type * from './cipher.js';
export type * from './rbac-repos.js';
export type * from './two-factor-repos.js';
export type * from './sso-repos.js';
export type * from './invalidation-bus.js';
